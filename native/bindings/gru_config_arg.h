// The GRU config as it crosses the boundary: a Float64Array in the field order of
// GRU_CONFIG_FIELDS (Note [GRU config fields]), so a streaming step pays for no property lookups.
#pragma once
#include <napi.h>

#include "../ops/gru_config.h"

namespace gru {

// Parses and checks argument `index`: every field against its kind and limit, then the limits
// of the whole call (gruCallSizeProblem). Messages name the field.
GruConfig gruConfigArg(const Napi::CallbackInfo& info, size_t index);

// [{ name, kind, max }] in packing order, for constants().
Napi::Array gruConfigFieldTable(Napi::Env env);

}  // namespace gru
