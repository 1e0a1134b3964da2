// Owning wrappers of cuDNN descriptors: created on construction, destroyed with the owner.
// Descriptors are host-side objects that cuDNN reads during the call, so a per-call descriptor
// may be destroyed as soon as the call returns.
#pragma once
#include "dynload.h"
#include "status.h"

namespace gru {
namespace cuda {

template <typename Descriptor, LazySymbol<cudnn::Status(Descriptor*)> CudnnApi::*Create,
          LazySymbol<cudnn::Status(Descriptor)> CudnnApi::*Destroy>
class OwnedDescriptor {
 public:
  OwnedDescriptor() {
    const LazySymbol<cudnn::Status(Descriptor*)>& create = cudnnApi().*Create;
    checkCudnn(create(&descriptor_), create.name());
  }
  ~OwnedDescriptor() {
    if (descriptor_ != nullptr) (cudnnApi().*Destroy)(descriptor_);
  }
  OwnedDescriptor(const OwnedDescriptor&) = delete;
  OwnedDescriptor& operator=(const OwnedDescriptor&) = delete;

  Descriptor get() const { return descriptor_; }

 private:
  Descriptor descriptor_ = nullptr;
};

using TensorDesc = OwnedDescriptor<cudnn::TensorDescriptor, &CudnnApi::createTensorDescriptor,
                                   &CudnnApi::destroyTensorDescriptor>;
using DropoutDesc = OwnedDescriptor<cudnn::DropoutDescriptor, &CudnnApi::createDropoutDescriptor,
                                    &CudnnApi::destroyDropoutDescriptor>;
using RnnDesc = OwnedDescriptor<cudnn::RnnDescriptor, &CudnnApi::createRnnDescriptor, &CudnnApi::destroyRnnDescriptor>;
using RnnDataDesc = OwnedDescriptor<cudnn::RnnDataDescriptor, &CudnnApi::createRnnDataDescriptor,
                                    &CudnnApi::destroyRnnDataDescriptor>;

}  // namespace cuda
}  // namespace gru
