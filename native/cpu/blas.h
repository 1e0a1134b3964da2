// The one include of OpenBLAS's CBLAS header, plus its thread-control extensions.
#pragma once
#include <cblas.h>

namespace gru {

int blasThreads();
void setBlasThreads(int threads);
const char* blasConfig();
// The kernel family OpenBLAS runs on this CPU ("Cooperlake", "Haswell", ...).
const char* blasCoreName();

}  // namespace gru
