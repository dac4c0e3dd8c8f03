// Reference greedy generation with ONNX Runtime (npm onnxruntime-node): the original ONNX
// model run in a full past_key_values loop, the way a user would without edgec.
//   node ort_generate.js MODEL.onnx KV_HEADS HEAD_DIM MAX_TOKENS PROMPTS.json [THREADS] > REFERENCE.json
// PROMPTS.json holds a list of id lists; the output maps each to its generated ids. Given
// THREADS (the benchmark's peer run), each result also has ttft_ms and decode_tokens_per_s.
const fs = require('fs');
const ort = require('onnxruntime-node');

function argmax(data, offset, size) {
  let best = 0;
  for (let i = 1; i < size; ++i) if (data[offset + i] > data[offset + best]) best = i;
  return best; // the lowest id among equal maxima, as edgec's greedy sampler
}

async function generate(session, kvHeads, headDim, prompt, maxTokens) {
  const pastNames = session.inputNames.filter(n => n.startsWith('past_key_values.'));
  const feeds = {};
  for (const name of pastNames) feeds[name] = new ort.Tensor('float32', new Float32Array(0), [1, kvHeads, 0, headDim]);
  let ids = prompt.slice(), position = 0;
  const generated = [];
  const start = process.hrtime.bigint();
  let firstToken = 0n;
  while (generated.length < maxTokens) {
    feeds.input_ids = new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]);
    if (session.inputNames.includes('attention_mask')) // no padding: every position attends
      feeds.attention_mask = new ort.Tensor('int64', new BigInt64Array(position + ids.length).fill(1n),
                                            [1, position + ids.length]);
    if (session.inputNames.includes('position_ids'))
      feeds.position_ids = new ort.Tensor('int64', BigInt64Array.from(ids.map((_, i) => BigInt(position + i))),
                                          [1, ids.length]);
    const out = await session.run(feeds);
    const logits = out.logits, vocab = logits.dims[2];
    const next = argmax(logits.data, (ids.length - 1) * vocab, vocab);
    generated.push(next);
    if (generated.length === 1) firstToken = process.hrtime.bigint();
    for (const name of pastNames) feeds[name] = out[name.replace('past_key_values.', 'present.')];
    position += ids.length;
    ids = [next];
  }
  const end = process.hrtime.bigint();
  return {generated, ttftMs: Number(firstToken - start) / 1e6,
          decodeTokensPerS: (generated.length - 1) / (Number(end - firstToken) / 1e9)};
}

(async () => {
  const [model, kvHeads, headDim, maxTokens, promptsFile, threads] = process.argv.slice(2);
  const session = await ort.InferenceSession.create(model, {intraOpNumThreads: Number(threads || 1),
                                                            interOpNumThreads: 1});
  const prompts = JSON.parse(fs.readFileSync(promptsFile, 'utf8'));
  const results = [];
  for (const prompt of prompts) {
    const run = await generate(session, Number(kvHeads), Number(headDim), prompt, Number(maxTokens));
    const result = {prompt_ids: prompt, generated_ids: run.generated};
    if (threads) Object.assign(result, {ttft_ms: run.ttftMs, decode_tokens_per_s: run.decodeTokensPerS});
    results.push(result);
  }
  const header = {reference: 'onnxruntime-node ' + require('onnxruntime-node/package.json').version +
                             ', greedy, full past_key_values loop', max_tokens: Number(maxTokens)};
  const lines = results.map(r => '  ' + JSON.stringify(r));
  console.log(JSON.stringify(header).slice(0, -1) + ', "results": [\n' + lines.join(',\n') + '\n]}');
})().catch(e => { console.error(e.message); process.exit(1); });
