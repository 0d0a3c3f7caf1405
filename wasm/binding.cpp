// The WebAssembly binding: plain C functions over the dispatcher, nothing else. JavaScript passes
// UTF-8 strings and bytes in memory it allocated (and frees), and reads the reply through the
// accessors below; the reply lives until the next call, so JavaScript never frees anything of ours.
#include <emscripten/emscripten.h>

#include <string_view>

#include "daftar/api.h"

namespace {
daftar::Reply last_reply;  // the binding's only state: the answer JavaScript is reading
}

extern "C" {

// Runs `command` on `input` (JSON text) with `payload` bytes; `today` ("YYYY-MM-DD") is the
// device's date, used when the input names none. Returns 0 ok, 1 invalid, 2 bad request.
EMSCRIPTEN_KEEPALIVE int daftar_call(const char* command, const char* input, size_t input_size,
                                     const char* payload, size_t payload_size, const char* today) {
  daftar::DispatchOptions options;
  options.default_today = today;
  last_reply = daftar::Dispatch(command, std::string_view(input, input_size), options,
                                std::string_view(payload, payload_size));
  return static_cast<int>(last_reply.outcome);
}

EMSCRIPTEN_KEEPALIVE const char* daftar_reply_body() { return last_reply.body.data(); }
EMSCRIPTEN_KEEPALIVE size_t daftar_reply_body_size() { return last_reply.body.size(); }
EMSCRIPTEN_KEEPALIVE const char* daftar_reply_payload() { return last_reply.payload.data(); }
EMSCRIPTEN_KEEPALIVE size_t daftar_reply_payload_size() { return last_reply.payload.size(); }

}  // extern "C"
