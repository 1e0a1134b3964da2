#include "js_errors.h"

#include <new>

#include "../addon.h"

namespace gru {

Napi::Value makeJsError(Napi::Env env, ErrorKind kind, const std::string& message, const std::string& code) {
  Addon& addon = Addon::of(env);
  if (addon.errorFactory.IsEmpty()) {
    // Only before lib/native/binding.ts has registered its classes: a plain Error still says why.
    Napi::Error error = Napi::Error::New(env, message);
    if (!code.empty()) error.Set("code", Napi::String::New(env, code));
    return error.Value();
  }
  return addon.errorFactory.Call({Napi::Number::New(env, static_cast<int32_t>(kind)),
                                  Napi::String::New(env, message), Napi::String::New(env, code)});
}

Napi::Value makeJsError(Napi::Env env, const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const Error& e) {
    return makeJsError(env, e.kind(), e.what(), e.code());
  } catch (const std::bad_alloc&) {
    return makeJsError(env, ErrorKind::OutOfMemory, "out of host memory", "ENOMEM");
  } catch (const std::exception& e) {
    return makeJsError(env, ErrorKind::Native, std::string("internal error in gru-native: ") + e.what(), "INTERNAL");
  } catch (...) {
    return makeJsError(env, ErrorKind::Native, "internal error in gru-native: unknown exception", "INTERNAL");
  }
}

void throwCurrentAsJs(Napi::Env env) {
  try {
    Napi::Value error = makeJsError(env, std::current_exception());
    if (!env.IsExceptionPending()) Napi::Error(env, error).ThrowAsJavaScriptException();
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();  // the error factory itself threw
  } catch (...) {
    // Nothing sensible is left to report; the caller returns undefined.
  }
}

}  // namespace gru
