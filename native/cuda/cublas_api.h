// Our own declarations of the part of cuBLAS we call (the v2 API of cuBLAS 11, 12 and 13).
// cublas_api_check.cc asserts them against a real cublas_api.h when one is present at build time.
#pragma once
#include <cstdint>

struct CUstream_st;  // cudaStream_t is CUstream_st*

namespace gru {
namespace cublas {

struct Context;
using Handle = Context*;
using Stream = CUstream_st*;

// cublasStatus_t: a C enum, passed as int. Names live in status.cc.
using Status = int;
constexpr Status kStatusSuccess = 0;

enum class Operation : int { N = 0, T = 1, C = 2 };
enum class Math : int { Default = 0, TensorOp = 1, Pedantic = 2, Tf32TensorOp = 3 };
// libraryPropertyType (library_types.h), for cublasGetProperty.
enum class LibraryProperty : int { MajorVersion = 0, MinorVersion = 1, PatchLevel = 2 };

using CreateFn = Status(Handle* handle);
using DestroyFn = Status(Handle handle);
using SetStreamFn = Status(Handle handle, Stream stream);
using GetVersionFn = Status(Handle handle, int* version);
using GetPropertyFn = Status(LibraryProperty type, int* value);
using SetMathModeFn = Status(Handle handle, Math mode);
using SgemmFn = Status(Handle handle, Operation transa, Operation transb, int m, int n, int k, const float* alpha,
                       const float* a, int lda, const float* b, int ldb, const float* beta, float* c, int ldc);
using DgemmFn = Status(Handle handle, Operation transa, Operation transb, int m, int n, int k, const double* alpha,
                       const double* a, int lda, const double* b, int ldb, const double* beta, double* c, int ldc);

}  // namespace cublas
}  // namespace gru
