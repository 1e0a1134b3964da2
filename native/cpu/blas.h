// The one include of OpenBLAS's CBLAS header, plus its thread-control extensions.
#pragma once
#include <cblas.h>

namespace gru {

int blasThreads();
void setBlasThreads(int threads);
const char* blasConfig();

}  // namespace gru
