#include "gru_config_arg.h"

#include <cmath>
#include <string>

#include "../core/errors.h"
#include "args.h"

namespace gru {
namespace {

std::string fieldLabel(size_t index, const char* field) { return argLabel(index, "config") + "." + field; }

[[noreturn]] void badField(size_t index, const char* field, const std::string& expected, double value) {
  throw Error(ErrorKind::Argument, fieldLabel(index, field) + " must be " + expected + ", got " + std::to_string(value));
}

double integerField(double value, size_t index, const char* field, double min, double max) {
  if (!(std::floor(value) == value && value >= min && value <= max)) {
    badField(index, field, "an integer in [" + std::to_string(static_cast<int64_t>(min)) + ", " +
                               std::to_string(static_cast<int64_t>(max)) + "]", value);
  }
  return value;
}

// One reader per kind (Note [GRU config fields]).
void readField(gru_field::Size& out, double value, size_t index, const char* field, int64_t max) {
  out = static_cast<int64_t>(integerField(value, index, field, 1, static_cast<double>(max)));
}
void readField(gru_field::Flag& out, double value, size_t index, const char* field, int64_t) {
  if (value != 0 && value != 1) badField(index, field, "0 or 1", value);
  out = value == 1;
}
void readField(gru_field::Probability& out, double value, size_t index, const char* field, int64_t) {
  if (!(value >= 0 && value < 1)) badField(index, field, "a number in [0, 1)", value);
  out = value;
}
void readField(gru_field::Word& out, double value, size_t index, const char* field, int64_t max) {
  out = static_cast<uint32_t>(integerField(value, index, field, 0, static_cast<double>(max)));
}
void readField(gru_field::Count& out, double value, size_t index, const char* field, int64_t max) {
  out = static_cast<uint64_t>(integerField(value, index, field, 0, static_cast<double>(max)));
}
void readField(gru_field::Activation& out, double value, size_t index, const char* field, int64_t max) {
  out = static_cast<GruActivation>(static_cast<int32_t>(integerField(value, index, field, 0, static_cast<double>(max))));
}

}  // namespace

GruConfig gruConfigArg(const Napi::CallbackInfo& info, size_t index) {
  const TypedArrayView packed = index < info.Length() && info[index].IsTypedArray()
                                    ? typedArrayArg(info, index, "config")
                                    : TypedArrayView{napi_int8_array, 0, nullptr};
  if (packed.type != napi_float64_array || packed.length != static_cast<size_t>(kGruConfigFieldCount)) {
    throw Error(ErrorKind::Argument, argLabel(index, "config") + " must be a Float64Array of " +
                                         std::to_string(kGruConfigFieldCount) + " fields (lib/native/gru-config.ts)");
  }
  const double* values = static_cast<const double*>(packed.data);
  GruConfig c;
#define GRU_READ_FIELD(name, kind, max) \
  readField(c.name, values[static_cast<int32_t>(GruConfigField::name)], index, #name, max);
  GRU_CONFIG_FIELDS(GRU_READ_FIELD)
#undef GRU_READ_FIELD
  const std::string problem = gruCallSizeProblem(c);
  if (!problem.empty()) throw Error(ErrorKind::Argument, argLabel(index, "config") + ": " + problem);
  return c;
}

Napi::Array gruConfigFieldTable(Napi::Env env) {
  Napi::Array table = Napi::Array::New(env);
  uint32_t i = 0;
#define GRU_FIELD_ROW(name, kind, max)                       \
  {                                                          \
    Napi::Object row = Napi::Object::New(env);               \
    row.Set("name", #name);                                  \
    row.Set("kind", #kind);                                  \
    row.Set("max", static_cast<double>(max));                \
    table.Set(i++, row);                                     \
  }
  GRU_CONFIG_FIELDS(GRU_FIELD_ROW)
#undef GRU_FIELD_ROW
  return table;
}

}  // namespace gru
