// cuDNN and cuBLAS are opened at run time with dlopen, never linked: a machine without them
// still loads the addon and gets `available: false` with a reason. Each library is tried under
// an explicit list of sonames, first where the dynamic loader looks (LD_LIBRARY_PATH, the
// system), then in the folders of Note [CUDA library folders]; each function is resolved with
// dlsym on its first call. Failures are gru::Error(BackendUnavailable) naming the library, the
// symbol and dlerror().
//
// Note [CUDA library folders]
// Many machines have cuDNN and cuBLAS only inside a Python environment, from NVIDIA's pip wheels
// (site-packages/nvidia/<library>/lib, where PyTorch finds them). So after the loader's own
// search, each soname is tried in: the folders of GRU_NATIVE_CUDA_LIBS (colon-separated), then
// every site-packages/nvidia/*/lib of the active Python environment ($VIRTUAL_ENV, then
// $CONDA_PREFIX). A library opened from such a folder first opens its companions there (cuDNN
// 9's sub-libraries, cuBLAS's libcublasLt), which the loader would not find by name on its own.
#pragma once
#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

#include "cublas_api.h"
#include "cudnn_api.h"

namespace gru {
namespace cuda {

class SharedLibrary {
 public:
  // `companions`: per soname, the libraries to open first from the same folder (Note [CUDA
  // library folders]); missing ones are skipped.
  SharedLibrary(const char* displayName, std::vector<std::string> sonames, std::string installHint,
                std::vector<std::vector<std::string>> companions = {});
  SharedLibrary(const SharedLibrary&) = delete;
  SharedLibrary& operator=(const SharedLibrary&) = delete;

  // Opens the library on the first call (later calls reuse that outcome); never throws.
  // False when no soname could be opened; `error` then lists every soname with its dlerror().
  bool tryOpen(std::string* error = nullptr);
  // The address of `name`; throws BackendUnavailable when the library or the symbol is missing.
  void* symbol(const char* name);
  // The address of `name`, or null when the library or the symbol is missing; never throws.
  void* findSymbol(const char* name);
  // The soname that opened (empty before a successful open).
  const std::string& openedName() const { return openedName_; }
  // The file it was opened from (as the loader resolved it), or empty.
  const std::string& openedPath() const { return openedPath_; }
  const char* displayName() const { return displayName_; }

 private:
  void openOnce();

  const char* displayName_;
  std::vector<std::string> sonames_;
  std::string installHint_;
  std::vector<std::vector<std::string>> companions_;
  std::once_flag once_;
  void* handle_ = nullptr;
  std::string openedName_;
  std::string openedPath_;
  std::string error_;
};

// The folders of Note [CUDA library folders], in search order.
std::vector<std::string> cudaLibraryFolders();

// `items` joined for a message: "a, b, c".
std::string joined(const std::vector<std::string>& items, const char* separator = ", ");

// A function of a SharedLibrary, resolved on its first call.
template <typename Fn>
class LazySymbol;

template <typename R, typename... Args>
class LazySymbol<R(Args...)> {
 public:
  LazySymbol(SharedLibrary& library, const char* name) : library_(library), name_(name) {}

  R operator()(Args... args) const { return resolve()(args...); }
  // For optional functions: whether the library has it; never throws.
  bool available() const {
    if (pointer_.load(std::memory_order_acquire) != nullptr) return true;
    void* found = library_.findSymbol(name_);
    if (found != nullptr) pointer_.store(reinterpret_cast<Pointer>(found), std::memory_order_release);
    return found != nullptr;
  }
  const char* name() const { return name_; }

 private:
  using Pointer = R (*)(Args...);
  Pointer resolve() const {
    Pointer pointer = pointer_.load(std::memory_order_acquire);
    if (pointer == nullptr) {
      pointer = reinterpret_cast<Pointer>(library_.symbol(name_));
      pointer_.store(pointer, std::memory_order_release);
    }
    return pointer;
  }

  SharedLibrary& library_;
  const char* name_;
  mutable std::atomic<Pointer> pointer_{nullptr};
};

struct CudnnApi {
  SharedLibrary library;
  LazySymbol<cudnn::GetVersionFn> getVersion{library, "cudnnGetVersion"};
  LazySymbol<cudnn::GetErrorStringFn> getErrorString{library, "cudnnGetErrorString"};
  LazySymbol<cudnn::GetLastErrorStringFn> getLastErrorString{library, "cudnnGetLastErrorString"};  // optional
  LazySymbol<cudnn::CreateFn> create{library, "cudnnCreate"};
  LazySymbol<cudnn::DestroyFn> destroy{library, "cudnnDestroy"};
  LazySymbol<cudnn::SetStreamFn> setStream{library, "cudnnSetStream"};
  LazySymbol<cudnn::CreateTensorDescriptorFn> createTensorDescriptor{library, "cudnnCreateTensorDescriptor"};
  LazySymbol<cudnn::SetTensorNdDescriptorFn> setTensorNdDescriptor{library, "cudnnSetTensorNdDescriptor"};
  LazySymbol<cudnn::GetTensorNdDescriptorFn> getTensorNdDescriptor{library, "cudnnGetTensorNdDescriptor"};
  LazySymbol<cudnn::DestroyTensorDescriptorFn> destroyTensorDescriptor{library, "cudnnDestroyTensorDescriptor"};
  LazySymbol<cudnn::CreateDropoutDescriptorFn> createDropoutDescriptor{library, "cudnnCreateDropoutDescriptor"};
  LazySymbol<cudnn::DropoutGetStatesSizeFn> dropoutGetStatesSize{library, "cudnnDropoutGetStatesSize"};
  LazySymbol<cudnn::SetDropoutDescriptorFn> setDropoutDescriptor{library, "cudnnSetDropoutDescriptor"};
  LazySymbol<cudnn::DestroyDropoutDescriptorFn> destroyDropoutDescriptor{library, "cudnnDestroyDropoutDescriptor"};
  LazySymbol<cudnn::CreateRnnDescriptorFn> createRnnDescriptor{library, "cudnnCreateRNNDescriptor"};
  LazySymbol<cudnn::SetRnnDescriptorV8Fn> setRnnDescriptorV8{library, "cudnnSetRNNDescriptor_v8"};
  LazySymbol<cudnn::DestroyRnnDescriptorFn> destroyRnnDescriptor{library, "cudnnDestroyRNNDescriptor"};
  LazySymbol<cudnn::GetRnnWeightSpaceSizeFn> getRnnWeightSpaceSize{library, "cudnnGetRNNWeightSpaceSize"};
  LazySymbol<cudnn::GetRnnWeightParamsFn> getRnnWeightParams{library, "cudnnGetRNNWeightParams"};
  LazySymbol<cudnn::CreateRnnDataDescriptorFn> createRnnDataDescriptor{library, "cudnnCreateRNNDataDescriptor"};
  LazySymbol<cudnn::SetRnnDataDescriptorFn> setRnnDataDescriptor{library, "cudnnSetRNNDataDescriptor"};
  LazySymbol<cudnn::DestroyRnnDataDescriptorFn> destroyRnnDataDescriptor{library, "cudnnDestroyRNNDataDescriptor"};
  LazySymbol<cudnn::GetRnnTempSpaceSizesFn> getRnnTempSpaceSizes{library, "cudnnGetRNNTempSpaceSizes"};
  LazySymbol<cudnn::RnnForwardFn> rnnForward{library, "cudnnRNNForward"};
  LazySymbol<cudnn::RnnBackwardDataV8Fn> rnnBackwardDataV8{library, "cudnnRNNBackwardData_v8"};
  LazySymbol<cudnn::RnnBackwardWeightsV8Fn> rnnBackwardWeightsV8{library, "cudnnRNNBackwardWeights_v8"};

  // Required functions the library lacks (empty when it has them all); never throws.
  std::vector<std::string> missingFunctions() const;
};

struct CublasApi {
  SharedLibrary library;
  LazySymbol<cublas::CreateFn> create{library, "cublasCreate_v2"};
  LazySymbol<cublas::DestroyFn> destroy{library, "cublasDestroy_v2"};
  LazySymbol<cublas::SetStreamFn> setStream{library, "cublasSetStream_v2"};
  LazySymbol<cublas::GetVersionFn> getVersion{library, "cublasGetVersion_v2"};
  LazySymbol<cublas::GetPropertyFn> getProperty{library, "cublasGetProperty"};
  LazySymbol<cublas::SetMathModeFn> setMathMode{library, "cublasSetMathMode"};
  LazySymbol<cublas::SgemmFn> sgemm{library, "cublasSgemm_v2"};
  LazySymbol<cublas::DgemmFn> dgemm{library, "cublasDgemm_v2"};

  std::vector<std::string> missingFunctions() const;
};

// The process-wide tables (libraries are opened on first use of a function, or by tryOpen()).
CudnnApi& cudnnApi();
CublasApi& cublasApi();

struct LibraryVersion {
  int major = 0, minor = 0, patch = 0;
  std::string text() const;
};

// cudnnGetVersion(): 9.x encodes major*10000 + minor*100 + patch (9.1.0 -> 90100), 8.x
// major*1000 + minor*100 + patch (8.9.7 -> 8907).
LibraryVersion decodeCudnnVersion(size_t encoded);

}  // namespace cuda
}  // namespace gru
