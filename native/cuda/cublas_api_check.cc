// Compiled only when CMake finds a real cublas_api.h (option GRU_NATIVE_CHECK_CUDA_HEADERS):
// asserts the enum values, status codes and function signatures we declared in cublas_api.h
// and status_tables.h. Nothing here runs.
// Through cublas_v2.h: it defines CUBLASAPI, without which cublas_api.h stops with #error.
#include <cublas_v2.h>

#include "api_signature_check.h"
#include "cublas_api.h"
#include "status_tables.h"

namespace gru {
namespace cuda {
namespace {

GRU_SAME_VALUE(cublas::Operation::N, CUBLAS_OP_N);
GRU_SAME_VALUE(cublas::Operation::T, CUBLAS_OP_T);
GRU_SAME_VALUE(cublas::Operation::C, CUBLAS_OP_C);
GRU_SAME_VALUE(cublas::Math::Default, CUBLAS_DEFAULT_MATH);
GRU_SAME_VALUE(cublas::Math::Pedantic, CUBLAS_PEDANTIC_MATH);
GRU_SAME_VALUE(cublas::Math::Tf32TensorOp, CUBLAS_TF32_TENSOR_OP_MATH);
GRU_SAME_VALUE(cublas::LibraryProperty::MajorVersion, MAJOR_VERSION);
GRU_SAME_VALUE(cublas::LibraryProperty::MinorVersion, MINOR_VERSION);
GRU_SAME_VALUE(cublas::LibraryProperty::PatchLevel, PATCH_LEVEL);
static_assert(sizeof(cublasStatus_t) == sizeof(cublas::Status), "cublasStatus_t is int-sized");

#define GRU_CUBLAS_STATUS(name) GRU_SAME_VALUE(statusCodeOf(kCublasStatuses, #name, 0, 999), name)
GRU_CUBLAS_STATUS(CUBLAS_STATUS_SUCCESS);
GRU_CUBLAS_STATUS(CUBLAS_STATUS_NOT_INITIALIZED);
GRU_CUBLAS_STATUS(CUBLAS_STATUS_ALLOC_FAILED);
GRU_CUBLAS_STATUS(CUBLAS_STATUS_INVALID_VALUE);
GRU_CUBLAS_STATUS(CUBLAS_STATUS_ARCH_MISMATCH);
GRU_CUBLAS_STATUS(CUBLAS_STATUS_MAPPING_ERROR);
GRU_CUBLAS_STATUS(CUBLAS_STATUS_EXECUTION_FAILED);
GRU_CUBLAS_STATUS(CUBLAS_STATUS_INTERNAL_ERROR);
GRU_CUBLAS_STATUS(CUBLAS_STATUS_NOT_SUPPORTED);
GRU_CUBLAS_STATUS(CUBLAS_STATUS_LICENSE_ERROR);

GRU_SAME_SIGNATURE(cublas::CreateFn, cublasCreate_v2);
GRU_SAME_SIGNATURE(cublas::DestroyFn, cublasDestroy_v2);
GRU_SAME_SIGNATURE(cublas::SetStreamFn, cublasSetStream_v2);
GRU_SAME_SIGNATURE(cublas::GetVersionFn, cublasGetVersion_v2);
GRU_SAME_SIGNATURE(cublas::GetPropertyFn, cublasGetProperty);
GRU_SAME_SIGNATURE(cublas::SetMathModeFn, cublasSetMathMode);
GRU_SAME_SIGNATURE(cublas::SgemmFn, cublasSgemm_v2);
GRU_SAME_SIGNATURE(cublas::DgemmFn, cublasDgemm_v2);

}  // namespace
}  // namespace cuda
}  // namespace gru
