// Runs an ONNX model with ONNX Runtime (npm onnxruntime-node) on .npy inputs, as the peer
// of edgec in bench_graph.py: prints the best and mean run time and writes each output
// as OUTDIR/<name>.npy.
//   node ort_run.js MODEL.onnx OUTDIR REPEAT THREADS NAME=FILE.npy...
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

const kTypes = {'<f4': ['float32', Float32Array], '<i8': ['int64', BigInt64Array], '<i4': ['int32', Int32Array]};

function readNpy(file) {
  const bytes = fs.readFileSync(file);
  const headerSize = bytes.readUInt16LE(8);
  const header = bytes.toString('latin1', 10, 10 + headerSize);
  const descr = /'descr': '([^']+)'/.exec(header)[1];
  const shape = /'shape': \(([^)]*)\)/.exec(header)[1].split(',').map(s => s.trim()).filter(s => s).map(Number);
  const [type, Array] = kTypes[descr];
  const data = bytes.buffer.slice(bytes.byteOffset + 10 + headerSize, bytes.byteOffset + bytes.length);
  return new ort.Tensor(type, new Array(data), shape);
}

function writeNpy(file, tensor) {
  const shape = tensor.dims.length === 1 ? `(${tensor.dims[0]},)` : `(${tensor.dims.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const prefix = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(prefix);
  prefix.writeUInt16LE(header.length, 8);
  const data = Buffer.from(Float32Array.from(tensor.data).buffer);
  fs.writeFileSync(file, Buffer.concat([prefix, Buffer.from(header, 'latin1'), data]));
}

(async () => {
  const [model, outDir, repeat, threads, ...specs] = process.argv.slice(2);
  const session = await ort.InferenceSession.create(model, {intraOpNumThreads: Number(threads), interOpNumThreads: 1});
  const feeds = {};
  for (const spec of specs) {
    const [name, file] = spec.split('=');
    feeds[name] = readNpy(file);
  }
  let results, best = Infinity, total = 0;
  for (let i = 0; i < Number(repeat); ++i) {
    const start = process.hrtime.bigint();
    results = await session.run(feeds);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    best = Math.min(best, ms);
    total += ms;
  }
  for (const name of Object.keys(results)) writeNpy(path.join(outDir, `${name}.npy`), results[name]);
  console.log(`run: ${repeat} iteration(s), best ${best.toFixed(3)} ms, mean ${(total / repeat).toFixed(3)} ms`);
})().catch(error => { console.error(`ort_run: ${error.message}`); process.exit(1); });
