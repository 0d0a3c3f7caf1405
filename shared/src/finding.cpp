#include "daftar/finding.h"

#include <algorithm>

namespace daftar {

void Findings::Error(std::string path, std::string code, std::vector<Param> params) {
  items_.push_back({Severity::kError, std::move(path), std::move(code), std::move(params)});
}

void Findings::Warning(std::string path, std::string code, std::vector<Param> params) {
  items_.push_back({Severity::kWarning, std::move(path), std::move(code), std::move(params)});
}

void Findings::Append(const Findings& other, std::string_view prefix) {
  for (const Finding& f : other.items_) {
    Finding copy = f;
    copy.path.insert(0, prefix);
    items_.push_back(std::move(copy));
  }
}

bool Findings::has_errors() const {
  return std::any_of(items_.begin(), items_.end(),
                     [](const Finding& f) { return f.severity == Severity::kError; });
}

bool Findings::has_warnings() const {
  return std::any_of(items_.begin(), items_.end(),
                     [](const Finding& f) { return f.severity == Severity::kWarning; });
}

}  // namespace daftar
