// Turning C++ failures into the library's typed JS errors. Every binding body runs inside
// guarded(), so no exception ever crosses into N-API and nothing aborts the process.
#pragma once
#include <napi.h>

#include <exception>
#include <string>

#include "../core/errors.h"

namespace gru {

// An instance of the JS error class for `kind` (lib/errors.ts), not thrown.
Napi::Value makeJsError(Napi::Env env, ErrorKind kind, const std::string& message, const std::string& code = "");
// The same for a caught C++ exception of any type.
Napi::Value makeJsError(Napi::Env env, const std::exception_ptr& error);
// Throws, as a pending JS exception, the typed error for the exception being handled.
void throwCurrentAsJs(Napi::Env env);

template <typename Body>
Napi::Value guarded(Napi::Env env, Body&& body) {
  try {
    return body();
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
  } catch (...) {
    throwCurrentAsJs(env);
  }
  return env.Undefined();
}

// Wraps a binding as a Napi function body.
#define GRU_BINDING(name) \
  static Napi::Value name##Impl(const Napi::CallbackInfo& info); \
  static Napi::Value name(const Napi::CallbackInfo& info) { \
    return ::gru::guarded(info.Env(), [&] { return name##Impl(info); }); \
  } \
  static Napi::Value name##Impl(const Napi::CallbackInfo& info)

// Exports binding `name` to JS under its own name.
#define GRU_EXPORT(exports, name) (exports).Set(#name, Napi::Function::New((exports).Env(), name, #name))

}  // namespace gru
