#!/usr/bin/python3
"""Reference renderings for libedgetok's chat templates (tests/unit/chat_template_test.cpp).

Each family's template as its model ships it in tokenizer_config.json, rendered with Jinja2
the way transformers' apply_chat_template does (a sandboxed environment with trim_blocks
and lstrip_blocks, raise_exception), over a few conversations. Writes
chat_templates/cases.json: per family, the tokenizer_config.json text and, per case, the
messages, add_generation_prompt and the expected text (or that Jinja raised). Run with
/usr/bin/python3 (Debian's python3-jinja2).
"""
import json
import os

from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = os.path.dirname(os.path.abspath(__file__))

LLAMA2 = ("{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}"
          "{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}"
          "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate "
          "user/assistant/user/assistant/...') }}{% endif %}{% if loop.index0 == 0 and system_message != false %}{% set content = "
          "'<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set content = message['content'] %}"
          "{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}"
          "{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}")
LLAMA3 = ("{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] "
          "+ '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token "
          "+ content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}")
QWEN2 = ("{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\nYou are a "
         "helpful assistant.<|im_end|>\\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' "
         "+ '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")
CHATML = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
          "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")
PHI3 = ("{% for message in messages %}{% if message['role'] == 'system' %}{{'<|system|>\\n' + message['content'] + '<|end|>\\n'}}"
        "{% elif message['role'] == 'user' %}{{'<|user|>\\n' + message['content'] + '<|end|>\\n'}}{% elif message['role'] == 'assistant' %}"
        "{{'<|assistant|>\\n' + message['content'] + '<|end|>\\n'}}{% endif %}{% endfor %}{% if add_generation_prompt %}"
        "{{ '<|assistant|>\\n' }}{% else %}{{ eos_token }}{% endif %}")
PHI35 = PHI3.replace("{% if message['role'] == 'system' %}", "{% if message['role'] == 'system' and message['content'] %}")
GEMMA2 = ("{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}"
          "{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation "
          "roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if (message['role'] == 'assistant') %}{% set role = "
          "'model' %}{% else %}{% set role = message['role'] %}{% endif %}{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim "
          "+ '<end_of_turn>\\n' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}")
FAMILIES = [
    ("llama2", LLAMA2, "<s>", "</s>"),
    ("llama3", LLAMA3, "<|begin_of_text|>", "<|eot_id|>"),
    ("qwen2", QWEN2, None, "<|im_end|>"),
    ("chatml", CHATML, None, "<|im_end|>"),
    ("phi3", PHI3, "<s>", "<|endoftext|>"),
    ("phi35", PHI35, "<s>", "<|endoftext|>"),
    ("gemma2", GEMMA2, "<bos>", "<eos>"),
]

def m(role, content):
    return {"role": role, "content": content}

CONVERSATIONS = [
    [m("user", "Hello!")],
    [m("system", "You are terse."), m("user", "  What is 2+2?\n")],
    [m("system", "Be kind.\n"), m("user", "Hi"), m("assistant", " Hello, how can I help?\n "), m("user", "Café, 東京 and 🙂\u3000")],
    [m("user", "one"), m("assistant", "two")],
    [m("system", ""), m("user", "x")],
    [m("user", "a"), m("user", "b")],
]


def render(template, bos, eos, messages, generation_prompt):
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)

    def raise_exception(message):
        raise ValueError(message)

    env.globals["raise_exception"] = raise_exception
    variables = {"messages": messages, "add_generation_prompt": generation_prompt}
    if bos is not None:
        variables["bos_token"] = bos
    if eos is not None:
        variables["eos_token"] = eos
    return env.from_string(template).render(**variables)


def main():
    out = []
    for name, template, bos, eos in FAMILIES:
        config = {"chat_template": template, "eos_token": eos}
        if bos is not None:
            config["bos_token"] = {"content": bos, "lstrip": False} if name == "llama2" else bos
        cases = []
        for messages in CONVERSATIONS:
            for generation_prompt in (True, False):
                case = {"messages": messages, "add_generation_prompt": generation_prompt}
                try:
                    case["expected"] = render(template, bos, eos, messages, generation_prompt)
                except ValueError as error:
                    case["error"] = str(error)
                cases.append(case)
        out.append({"name": name, "config": json.dumps(config), "cases": cases})
    with open(os.path.join(HERE, "chat_templates", "cases.json"), "w") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
