#include "blas.h"

namespace gru {

int blasThreads() { return openblas_get_num_threads(); }
void setBlasThreads(int threads) { openblas_set_num_threads(threads); }
const char* blasConfig() { return openblas_get_config(); }
const char* blasCoreName() { return openblas_get_corename(); }

}  // namespace gru
