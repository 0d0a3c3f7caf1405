#include "json_write.h"

#include <charconv>
#include <cmath>
#include <string_view>

#include "text.h"

namespace daftar {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

class Writer {
 public:
  Writer(std::string& out, int indent) : out_(out), indent_(indent) {}

  void Value(const json& value, int depth) {
    switch (value.type()) {
      case json::value_t::object:
        Container(*value.get_ptr<const json::object_t*>(), '{', '}', depth, [&](const auto& member) {
          String(member.first);
          out_ += indent_ < 0 ? ":" : ": ";
          Value(member.second, depth + 1);
        });
        return;
      case json::value_t::array:
        Container(*value.get_ptr<const json::array_t*>(), '[', ']', depth,
                  [&](const json& item) { Value(item, depth + 1); });
        return;
      case json::value_t::string:
        String(*value.get_ptr<const json::string_t*>());
        return;
      case json::value_t::boolean:
        out_ += value.get<bool>() ? "true" : "false";
        return;
      case json::value_t::number_integer:
        Number(value.get<json::number_integer_t>());
        return;
      case json::value_t::number_unsigned:
        Number(value.get<json::number_unsigned_t>());
        return;
      case json::value_t::number_float: {
        // Never in an answer the core builds (it has no fractions); written as nlohmann would.
        const double x = value.get<double>();
        if (!std::isfinite(x)) {
          out_ += "null";
          return;
        }
        char digits[64];
        out_.append(digits, nlohmann::detail::to_chars(digits, digits + sizeof digits, x));
        return;
      }
      default:  // null; binary values and discarded ones are never built by the core
        out_ += "null";
        return;
    }
  }

 private:
  // An object's members or an array's items between `open` and `close`, each written by `write`.
  template <typename Items, typename Write>
  void Container(const Items& items, char open, char close, int depth, Write write) {
    out_ += open;
    if (!items.empty()) {
      for (auto it = items.begin(); it != items.end(); ++it) {
        if (it != items.begin()) out_ += ',';
        Break(depth + 1);
        write(*it);
      }
      Break(depth);
    }
    out_ += close;
  }

  // Before a member or an item, and before a container closes: a new line in pretty text.
  void Break(int depth) {
    if (indent_ < 0) return;
    out_ += '\n';
    out_.append(static_cast<std::size_t>(depth) * static_cast<std::size_t>(indent_), ' ');
  }

  template <typename Integer>
  void Number(Integer n) {
    char digits[24];
    out_.append(digits, std::to_chars(digits, digits + sizeof digits, n).ptr);
  }

  void String(std::string_view s) {
    out_ += '"';
    std::size_t copied = 0;  // s[copied, i) is plain and not yet written
    for (std::size_t i = 0; i < s.size();) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
        ++i;
        continue;
      }
      out_.append(s.data() + copied, i - copied);
      if (c >= 0x80) {
        const int n = text::Utf8Sequence(s.substr(i));
        if (n > 0) {
          out_.append(s.data() + i, static_cast<std::size_t>(n));
        } else {
          out_ += kReplacement;
        }
        i += static_cast<std::size_t>(n > 0 ? n : -n);
      } else {
        Escape(c);
        ++i;
      }
      copied = i;
    }
    out_.append(s.data() + copied, s.size() - copied);
    out_ += '"';
  }

  void Escape(unsigned char c) {
    switch (c) {
      case '"': out_ += "\\\""; return;
      case '\\': out_ += "\\\\"; return;
      case '\b': out_ += "\\b"; return;
      case '\f': out_ += "\\f"; return;
      case '\n': out_ += "\\n"; return;
      case '\r': out_ += "\\r"; return;
      case '\t': out_ += "\\t"; return;
      default: {
        constexpr std::string_view kHex = "0123456789abcdef";
        const char code[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out_.append(code, sizeof code);
      }
    }
  }

  std::string& out_;
  const int indent_;
};

}  // namespace

std::string WriteJson(const json& value, int indent) {
  std::string out;
  out.reserve(256);  // an instant check's whole answer, written without growing
  Writer(out, indent).Value(value, 0);
  return out;
}

}  // namespace daftar
