#include "dynload.h"

#include <dlfcn.h>

#include "../core/errors.h"

namespace gru {
namespace cuda {

SharedLibrary::SharedLibrary(const char* displayName, std::vector<std::string> sonames, std::string installHint)
    : displayName_(displayName), sonames_(std::move(sonames)), installHint_(std::move(installHint)) {}

void SharedLibrary::openOnce() {
  std::call_once(once_, [this] {
    std::string tried;
    for (const std::string& soname : sonames_) {
      dlerror();
      // RTLD_LOCAL: our symbols stay out of the global namespace, cuDNN 9's sub-libraries find
      // themselves through libcudnn.so.9.
      void* handle = dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (handle != nullptr) {
        handle_ = handle;
        openedName_ = soname;
        return;
      }
      const char* detail = dlerror();
      tried += (tried.empty() ? "" : "; ") + soname + ": " + (detail ? detail : "unknown dlopen error");
    }
    error_ = std::string(displayName_) + " could not be loaded (tried " + tried + "). " + installHint_;
  });
}

bool SharedLibrary::tryOpen(std::string* error) {
  openOnce();
  if (handle_ == nullptr && error != nullptr) *error = error_;
  return handle_ != nullptr;
}

void* SharedLibrary::findSymbol(const char* name) {
  if (!tryOpen()) return nullptr;
  return dlsym(handle_, name);
}

void* SharedLibrary::symbol(const char* name) {
  std::string error;
  if (!tryOpen(&error)) throw Error(ErrorKind::BackendUnavailable, error, "CUDA_LIBRARY_NOT_FOUND");
  dlerror();
  void* address = dlsym(handle_, name);
  if (address == nullptr) {
    const char* detail = dlerror();
    throw Error(ErrorKind::BackendUnavailable,
                std::string(displayName_) + " (" + openedName_ + ") has no function " + name + " (" +
                    (detail ? detail : "dlsym returned null") + "); gru-native needs a newer " + displayName_,
                "CUDA_LIBRARY_SYMBOL_MISSING");
  }
  return address;
}

// Leaked on purpose: the libraries stay loaded until the process exits, so no static destructor
// can run while a callback or another thread still uses them.
CudnnApi& cudnnApi() {
  static CudnnApi* api = new CudnnApi{
      SharedLibrary("cuDNN", {"libcudnn.so.9", "libcudnn.so.8"},
                    "Install cuDNN 9 for your CUDA version (for example `pip install nvidia-cudnn-cu13`, or "
                    "NVIDIA's libcudnn9 package) and add its lib folder to LD_LIBRARY_PATH.")};
  return *api;
}

CublasApi& cublasApi() {
  static CublasApi* api = new CublasApi{
      SharedLibrary("cuBLAS", {"libcublas.so.13", "libcublas.so.12", "libcublas.so.11"},
                    "Install cuBLAS for your CUDA version (for example `pip install nvidia-cublas`, or the "
                    "CUDA toolkit's libcublas package) and add its lib folder to LD_LIBRARY_PATH.")};
  return *api;
}

namespace {

template <typename... Symbols>
std::vector<std::string> missing(const Symbols&... symbols) {
  std::vector<std::string> names;
  ((symbols.available() ? void() : names.push_back(symbols.name())), ...);
  return names;
}

}  // namespace

std::vector<std::string> CudnnApi::missingFunctions() const {
  return missing(getVersion, getErrorString, create, destroy, setStream, createTensorDescriptor, setTensorNdDescriptor,
                 getTensorNdDescriptor, destroyTensorDescriptor, createDropoutDescriptor, dropoutGetStatesSize,
                 setDropoutDescriptor, destroyDropoutDescriptor, createRnnDescriptor, setRnnDescriptorV8,
                 destroyRnnDescriptor, getRnnWeightSpaceSize, getRnnWeightParams, createRnnDataDescriptor,
                 setRnnDataDescriptor, destroyRnnDataDescriptor, getRnnTempSpaceSizes, rnnForward, rnnBackwardDataV8,
                 rnnBackwardWeightsV8);
}

std::vector<std::string> CublasApi::missingFunctions() const {
  return missing(create, destroy, setStream, getVersion, getProperty, setMathMode, sgemm, dgemm);
}

std::string LibraryVersion::text() const {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

LibraryVersion decodeCudnnVersion(size_t encoded) {
  const int v = static_cast<int>(encoded);
  const int majorUnit = v >= 90000 ? 10000 : 1000;
  return LibraryVersion{v / majorUnit, (v % majorUnit) / 100, v % 100};
}

}  // namespace cuda
}  // namespace gru
