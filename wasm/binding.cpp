// The WebAssembly binding: plain C functions over the dispatcher, nothing else. JavaScript passes
// UTF-8 strings in memory it allocated (and frees), and reads the reply from the accessors below;
// the reply lives until the next call, so JavaScript never frees anything of ours.
#include <emscripten/emscripten.h>

#include <string_view>

#include "daftar/api.h"

namespace {
daftar::Reply last_reply;  // the binding's only state: the answer JavaScript is reading
}

extern "C" {

// Runs `command` on `input` (JSON text); `today` ("YYYY-MM-DD") is the device's date, used when the
// input names none. Returns the outcome: 0 ok, 1 invalid, 2 bad request.
EMSCRIPTEN_KEEPALIVE int daftar_call(const char* command, const char* input, size_t input_size,
                                     const char* today) {
  daftar::DispatchOptions options;
  options.default_today = today;
  last_reply = daftar::Dispatch(command, std::string_view(input, input_size), options);
  return static_cast<int>(last_reply.outcome);
}

EMSCRIPTEN_KEEPALIVE const char* daftar_reply_body() { return last_reply.body.data(); }
EMSCRIPTEN_KEEPALIVE size_t daftar_reply_body_size() { return last_reply.body.size(); }

}  // extern "C"
