// Moving tensors between devices, the CUDA caching allocator's cache, and CUDA facts that tests
// check on any machine (status names, why a library did not load).
#include "../addon.h"
#include "../core/host_allocator.h"
#include "args.h"
#include "js_errors.h"

#ifdef GRU_WITH_CUDA
#include "../cuda/cuda_backend.h"
#include "../cuda/probe.h"
#include "../cuda/status.h"
#endif

namespace gru {
namespace {

// (dst, src): same dtype and element count; any devices. Ordered after the work queued on both.
GRU_BINDING(toDevice) {
  const TensorRef& dst = tensorArg(info, 0, "dst").ref();
  const TensorRef& src = tensorArg(info, 1, "src").ref();
  if (dst.numel != src.numel || dst.dtype != src.dtype) {
    throw Error(ErrorKind::Shape, "toDevice needs tensors of equal size and dtype, got " + std::to_string(dst.numel) + " " +
                                      dtypeName(dst.dtype) + " and " + std::to_string(src.numel) + " " + dtypeName(src.dtype));
  }
  Addon& addon = Addon::of(info.Env());
  if (dst.device() == src.device()) {
    addon.backend(dst.device()).copy(CopyRequest{dst, src, 1, dst.numel, dst.numel, src.numel});
    return info.Env().Undefined();
  }
  Backend& cudaBackend = addon.backend(DeviceKind::Cuda);  // throws BackendUnavailable with the probe's reason
#ifdef GRU_WITH_CUDA
  CudaBackend& cuda = static_cast<CudaBackend&>(cudaBackend);
  if (src.device() == DeviceKind::Cpu) {
    // The host bytes are read now, so every queued CPU op that writes them must have run.
    addon.cpu().synchronize();
    cuda.copyFromHost(dst, src.raw());
  } else {
    addon.cpu().raisePendingError();
    cuda.copyToHostOnStream(dst, src, addon.cpu().stream());
  }
#else
  (void)cudaBackend;
#endif
  return info.Env().Undefined();
}

// Frees the memory the caching allocators keep for reuse: large host blocks, and on CUDA the
// device blocks and idle pinned buffers.
GRU_BINDING(emptyCache) {
  emptyHostCache();
#ifdef GRU_WITH_CUDA
  if (CudaBackend* cuda = existingCudaBackend()) cuda->emptyCache();
#endif
  return info.Env().Undefined();
}

#ifdef GRU_WITH_CUDA
// (kind: 0 cuDNN, 1 cuBLAS, 2 CUDA runtime, code) => the status's name. For tests.
GRU_BINDING(cudaStatusName) {
  const int64_t kind = intArg(info, 0, "kind");
  if (kind > 2) throw Error(ErrorKind::Argument, "argument 0 (kind) must be 0 (cuDNN), 1 (cuBLAS) or 2 (CUDA)");
  const double code = numberArg(info, 1, "code");
  return Napi::String::New(info.Env(), cuda::statusName(static_cast<cuda::StatusKind>(kind), static_cast<int64_t>(code)));
}

Napi::Object libraryInfo(Napi::Env env, const CudaLibraryInfo& library) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("loaded", library.loaded);
  result.Set("soname", library.soname);
  result.Set("path", library.path);
  result.Set("version", library.version);
  result.Set("error", library.error);
  return result;
}

// Tries to open cuDNN and cuBLAS (once per process) and says what happened. For tests.
GRU_BINDING(cudaLibraries) {
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  result.Set("cudnn", libraryInfo(env, probeCudnnLibrary()));
  result.Set("cublas", libraryInfo(env, probeCublasLibrary()));
  return result;
}

// The cuDNN and cuBLAS versions the cached probe found ("" when not loaded), for backends().
GRU_BINDING(cudaLibraryVersions) {
  const CudaProbe& probe = cachedCudaProbe();
  Napi::Object result = Napi::Object::New(info.Env());
  result.Set("cudnn", probe.cudnnVersion);
  result.Set("cublas", probe.cublasVersion);
  result.Set("cudnnPath", probe.cudnnPath);
  result.Set("cublasPath", probe.cublasPath);
  return result;
}
#else
GRU_BINDING(cudaStatusName) {
  (void)info;
  throw Error(ErrorKind::BackendUnavailable, "built without the CUDA toolkit: no CUDA status names");
}

GRU_BINDING(cudaLibraries) {
  (void)info;
  throw Error(ErrorKind::BackendUnavailable, "built without the CUDA toolkit: cuDNN and cuBLAS are never loaded");
}

GRU_BINDING(cudaLibraryVersions) {
  Napi::Object result = Napi::Object::New(info.Env());
  result.Set("cudnn", "");
  result.Set("cublas", "");
  result.Set("cudnnPath", "");
  result.Set("cublasPath", "");
  return result;
}
#endif

}  // namespace

void registerDeviceBindings(Napi::Object exports) {
  GRU_EXPORT(exports, toDevice);
  GRU_EXPORT(exports, emptyCache);
  GRU_EXPORT(exports, cudaStatusName);
  GRU_EXPORT(exports, cudaLibraries);
  GRU_EXPORT(exports, cudaLibraryVersions);
}

}  // namespace gru
