// Chat templates: each family's real template (test-suite/tokenizer/gen_chat_templates.py
// renders them with Jinja2 as transformers does) gives exactly Jinja's text for every
// conversation, or an error where Jinja raises; unknown or unrendered templates and bad
// configs are clear errors.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "edge/tokenizer.h"
extern "C" {
#include "tokenizer/json.h"
}

namespace {

struct StatusDeleter {
  void operator()(edge_status_s *status) const { edge_status_free(status); }
};
using Status = std::unique_ptr<edge_status_s, StatusDeleter>;

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

edge_chat_format_t expectedFormat(const std::string &family) {
  if (family == "llama2") return EDGE_CHAT_FORMAT_LLAMA2;
  if (family == "llama3") return EDGE_CHAT_FORMAT_LLAMA3;
  if (family == "qwen2" || family == "chatml") return EDGE_CHAT_FORMAT_CHATML;
  if (family == "phi3" || family == "phi35") return EDGE_CHAT_FORMAT_PHI3;
  return EDGE_CHAT_FORMAT_GEMMA;
}

TEST(ChatTemplateTest, EveryFamilyRendersWhatJinjaRenders) {
  const std::string text = readFile(EDGEC_TOKENIZER_DATA "/chat_templates/cases.json");
  char error[128] = "";
  json_value_t *root = edge_json_parse(text.data(), text.size(), error, sizeof(error), nullptr);
  ASSERT_NE(root, nullptr) << error;
  ASSERT_EQ(root->count, 7u);
  int compared = 0, refused = 0;
  for (uint32_t f = 0; f < root->count; ++f) {
    const json_value_t *family = &root->items[f];
    const std::string name = edge_json_get(family, "name")->string;
    const json_value_t *config = edge_json_get(family, "config");
    edge_chat_template_t *t = nullptr;
    Status status(edge_chat_template_parse(config->string, config->length, &t));
    ASSERT_EQ(status, nullptr) << name << ": " << edge_status_message(status.get());
    EXPECT_EQ(edge_chat_template_format(t), expectedFormat(name)) << name;
    const json_value_t *cases = edge_json_get(family, "cases");
    for (uint32_t c = 0; c < cases->count; ++c) {
      const json_value_t *item = &cases->items[c];
      const json_value_t *list = edge_json_get(item, "messages");
      std::vector<edge_chat_message_t> messages;
      for (uint32_t i = 0; i < list->count; ++i)
        messages.push_back({edge_json_get(&list->items[i], "role")->string,
                            edge_json_get(&list->items[i], "content")->string});
      const int prompt = static_cast<int>(edge_json_get(item, "add_generation_prompt")->number);
      char *out = nullptr;
      size_t size = 0;
      status.reset(edge_chat_template_apply(t, messages.data(), list->count, prompt, &out, &size));
      const json_value_t *expected = edge_json_get(item, "expected");
      if (expected) {
        ASSERT_EQ(status, nullptr) << name << " case " << c << ": " << edge_status_message(status.get());
        EXPECT_EQ(std::string(out, size), std::string(expected->string, expected->length)) << name << " case " << c;
        EXPECT_EQ(std::strlen(out), size);
        ++compared;
      } else {
        EXPECT_EQ(edge_status_code(status.get()), EDGE_STATUS_INVALID_ARGUMENT)
            << name << " case " << c << ": Jinja raised " << edge_json_get(item, "error")->string;
        EXPECT_EQ(out, nullptr);
        ++refused;
      }
      free(out);
    }
    edge_chat_template_release(t);
  }
  edge_json_free(root);
  EXPECT_GT(compared, 60);
  EXPECT_GT(refused, 5);
}

edge_status_code_t parseCode(const std::string &config, std::string *message = nullptr) {
  edge_chat_template_t *t = reinterpret_cast<edge_chat_template_t *>(1);
  Status status(edge_chat_template_parse(config.data(), config.size(), &t));
  EXPECT_EQ(t, nullptr) << config;
  if (message) *message = edge_status_message(status.get());
  return edge_status_code(status.get());
}

TEST(ChatTemplateTest, TemplatesOfNoKnownFamilyAreRefusedNamingWhatWasLookedFor) {
  std::string message;
  EXPECT_EQ(parseCode(R"({"chat_template": "{% for m in messages %}### {{ m.role }}: {{ m.content }}\n{% endfor %}"})",
                      &message),
            EDGE_STATUS_UNIMPLEMENTED);
  EXPECT_NE(message.find("none of [INST]/<<SYS>> (Llama-2)"), std::string::npos) << message;
  EXPECT_NE(message.find("\"{% for m in messages %}### {{ m.role }}: {{ m.co...\""), std::string::npos) << message;
  EXPECT_EQ(parseCode(R"({"chat_template": "{{ bos_token }}{% for m in messages %}[INST] {{ m.content }} [/INST]{% endfor %}"})",
                      &message),
            EDGE_STATUS_UNIMPLEMENTED);
  EXPECT_NE(message.find("Mistral-style"), std::string::npos) << message;
  EXPECT_EQ(parseCode(R"({"chat_template": "<|start_header_id|>system<|end_header_id|>Cutting Knowledge Date: December 2023"})",
                      &message),
            EDGE_STATUS_UNIMPLEMENTED);
  EXPECT_NE(message.find("Llama-3.1"), std::string::npos) << message;
  EXPECT_EQ(parseCode(R"({"chat_template": "<|user|>{{ m }}<|end|>"})"), EDGE_STATUS_UNIMPLEMENTED);
}

TEST(ChatTemplateTest, MalformedConfigsAreClearErrors) {
  std::string message;
  EXPECT_EQ(parseCode("{\"chat_template\": ", &message), EDGE_STATUS_DATA_LOSS);
  EXPECT_NE(message.find("not valid JSON"), std::string::npos) << message;
  EXPECT_EQ(parseCode(R"({"bos_token": "<s>"})", &message), EDGE_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(message, "tokenizer_config: no chat_template");
  EXPECT_EQ(parseCode(R"({"chat_template": 3})"), EDGE_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(parseCode(R"({"chat_template": "<|im_start|>", "bos_token": 1})", &message), EDGE_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(message, "tokenizer_config: bos_token is neither a string nor {\"content\": string}");
  EXPECT_EQ(parseCode(R"({"chat_template": [{"name": "tool_use", "template": "<|im_start|>"}]})", &message),
            EDGE_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(message.find("without a \"default\""), std::string::npos) << message;
  EXPECT_EQ(parseCode(R"({"chat_template": "<|im_start|>\u0000"})"), EDGE_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(parseCode("[]"), EDGE_STATUS_INVALID_ARGUMENT);

  edge_chat_template_t *t = nullptr;
  Status status(edge_chat_template_open("/nonexistent/tokenizer_config.json", &t));
  EXPECT_EQ(edge_status_code(status.get()), EDGE_STATUS_NOT_FOUND);
}

// A list of named templates: the "default" one; null special tokens render as nothing.
TEST(ChatTemplateTest, TheDefaultOfNamedTemplates) {
  const std::string config = R"({"chat_template": [{"name": "tool_use", "template": "[INST] <<SYS>>"},
    {"name": "default", "template": "{{ '<start_of_turn>' }}"}], "bos_token": null})";
  edge_chat_template_t *t = nullptr;
  ASSERT_EQ(edge_chat_template_parse(config.data(), config.size(), &t), nullptr);
  EXPECT_EQ(edge_chat_template_format(t), EDGE_CHAT_FORMAT_GEMMA);
  EXPECT_STREQ(edge_chat_template_end_of_turn(t), "<end_of_turn>");
  edge_chat_message_t hello = {"user", "hi"};
  char *out = nullptr;
  ASSERT_EQ(edge_chat_template_apply(t, &hello, 1, 1, &out, nullptr), nullptr);
  EXPECT_STREQ(out, "<start_of_turn>user\nhi<end_of_turn>\n<start_of_turn>model\n");
  free(out);
  edge_chat_template_release(t);
}

// The app names the family; bad messages are refused naming the message.
TEST(ChatTemplateTest, ANamedFormatAndBadMessages) {
  edge_chat_template_t *t = nullptr;
  Status status(edge_chat_template_create(static_cast<edge_chat_format_t>(9), nullptr, nullptr, &t));
  EXPECT_EQ(edge_status_code(status.get()), EDGE_STATUS_INVALID_ARGUMENT);
  ASSERT_EQ(edge_chat_template_create(EDGE_CHAT_FORMAT_LLAMA2, "<s>", "</s>", &t), nullptr);
  EXPECT_STREQ(edge_chat_template_end_of_turn(t), "</s>");
  edge_chat_message_t turns[] = {{"system", "S"}, {"user", "U"}, {"assistant", "A"}, {"user", "V"}};
  char *out = nullptr;
  ASSERT_EQ(edge_chat_template_apply(t, turns, 4, 1, &out, nullptr), nullptr);
  EXPECT_STREQ(out, "<s>[INST] <<SYS>>\nS\n<</SYS>>\n\nU [/INST] A </s><s>[INST] V [/INST]");
  free(out);

  edge_chat_message_t tool[] = {{"tool", "x"}};
  status.reset(edge_chat_template_apply(t, tool, 1, 1, &out, nullptr));
  EXPECT_STREQ(edge_status_message(status.get()), "message 0: role is neither system, user nor assistant");
  edge_chat_message_t broken[] = {{"user", "\xff"}};
  status.reset(edge_chat_template_apply(t, broken, 1, 1, &out, nullptr));
  EXPECT_STREQ(edge_status_message(status.get()), "message 0: content is not well-formed UTF-8");
  edge_chat_message_t late[] = {{"user", "U"}, {"system", "S"}};
  status.reset(edge_chat_template_apply(t, late, 2, 1, &out, nullptr));
  EXPECT_EQ(edge_status_code(status.get()), EDGE_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(edge_status_message(status.get()), "message 1:"), nullptr) << edge_status_message(status.get());
  EXPECT_EQ(out, nullptr);
  edge_chat_template_release(t);
}

} // namespace
