#include "config/yaml_document.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <sstream>

namespace orion::config {

namespace {

// yaml-cpp's own LoadAll gives up only when the parser reports no further document, which the
// bug above prevents; no real file has this many documents.
constexpr int kMaxDocuments = 16;

// Counts documents and notes where the first two with content start.
class DocumentCounter final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override { content_ = false; }
  void OnDocumentEnd() override {
    if (!content_) return;
    ++with_content_;
  }
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { note(mark, false); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { note(mark, true); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    note(mark, true);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    note(mark, true);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    note(mark, true);
  }
  void OnMapEnd() override {}

  int withContent() const { return with_content_; }
  int firstContentIndex() const { return first_index_; }
  const YAML::Mark& secondContentMark() const { return second_mark_; }
  void nextDocument() { ++index_; }

 private:
  void note(const YAML::Mark& mark, bool content) {
    if (!content || content_) return;
    content_ = true;
    if (with_content_ == 0 && first_index_ < 0) first_index_ = index_;
    if (with_content_ == 1) second_mark_ = mark;
  }

  bool content_ = false;
  int with_content_ = 0;
  int index_ = 0;
  int first_index_ = -1;
  YAML::Mark second_mark_;
};

Status yamlError(const std::string& name, int line, const std::string& message) {
  return invalidArgument(name + ":" + std::to_string(line + 1) + ": " + message);
}

}  // namespace

Result<YAML::Node> loadYamlDocument(std::string_view text, const std::string& name) {
  const std::string input(text);
  DocumentCounter counter;
  int documents = 0;
  try {
    std::istringstream stream(input);
    YAML::Parser parser(stream);
    while (documents < kMaxDocuments && parser.HandleNextDocument(counter)) {
      ++documents;
      counter.nextDocument();
    }
  } catch (const YAML::Exception& e) {
    return yamlError(name, e.mark.line, "invalid YAML: " + e.msg);
  }
  if (documents >= kMaxDocuments) {
    return yamlError(
        name, 0,
        "invalid YAML: the parser makes no progress (a stray ',' at the start of a line?)");
  }
  if (counter.withContent() > 1) {
    return yamlError(name, counter.secondContentMark().line,
                     "expected one YAML document, found " + std::to_string(counter.withContent()));
  }
  if (counter.withContent() == 0) return YAML::Node();
  // A stray "---" before the content makes it the second document, which Load() does not reach.
  if (counter.firstContentIndex() != 0) {
    return yamlError(name, 0, "expected one YAML document, found an empty one before it");
  }
  try {
    return YAML::Load(input);
  } catch (const YAML::Exception& e) {
    return yamlError(name, e.mark.line, "invalid YAML: " + e.msg);
  }
}

}  // namespace orion::config
