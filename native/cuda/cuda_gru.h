// The GRU on CUDA through cuDNN's v8 RNN API (CUDNN_GRU, linear input, padded unpacked I/O).
//
// Note [cuDNN weight space = our flat buffer]
// cuDNN reads and writes the weights and their gradients in our flat PyTorch-order buffer
// (Note [GRU weight layout], cpu/gru_layout.h) directly, with no repacking. That is only right if
// cuDNN's weight space has exactly that layout, so the first use of each network shape checks
// it: cudnnGetRNNWeightSpaceSize must be gruWeightCount * itemsize, and cudnnGetRNNWeightParams
// must place the matrix and bias of every (pseudo-layer, linLayerID 0-5) at gruParamOffset +
// gate * H * columns. Anything else throws NativeError LAYOUT_MISMATCH; no offset is assumed.
// bias: false uses CUDNN_RNN_NO_BIAS (our layout has no bias blocks then), true DOUBLE_BIAS.
//
// Note [cuDNN dropout]
// Dropout between layers uses cuDNN's own generator (states buffer per backend, initialised
// from GruConfig::dropoutSeed whenever p or the seed changes, then advancing on its own). Its
// masks therefore differ from the CPU backend's Philox masks: same p and scaling, different
// draws. Results with dropout are reproducible on one device, not across devices.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <tuple>
#include <vector>

#include "cudnn_descriptors.h"
#include "../gru_requests.h"

namespace gru {

class CudaBackend;

class CudnnGru {
 public:
  explicit CudnnGru(CudaBackend& backend);
  ~CudnnGru();
  CudnnGru(const CudnnGru&) = delete;
  CudnnGru& operator=(const CudnnGru&) = delete;

  // Callers hold the backend's libraryMutex().
  int64_t reserveCount(const GruConfig& config, DType dtype);
  void forward(const GruForwardRequest& request);
  void backward(const GruBackwardRequest& request);

 private:
  // What fixes the RNN descriptor (not the sequence length or batch size).
  struct PlanKey {
    int64_t inputSize, hiddenSize, numLayers;
    bool bidirectional, bias, allowTF32;
    DType dtype;
    double dropout;
    bool operator<(const PlanKey& o) const {
      return std::tie(inputSize, hiddenSize, numLayers, bidirectional, bias, allowTF32, dtype, dropout) <
             std::tie(o.inputSize, o.hiddenSize, o.numLayers, o.bidirectional, o.bias, o.allowTF32, o.dtype, o.dropout);
    }
  };
  // What the workspace and reserve sizes depend on besides the plan.
  struct ShapeKey {
    int mode;
    int64_t seqLen, batch;
    bool batchFirst;
    std::vector<int32_t> lengths;
    bool operator<(const ShapeKey& o) const {
      return std::tie(mode, seqLen, batch, batchFirst, lengths) < std::tie(o.mode, o.seqLen, o.batch, o.batchFirst, o.lengths);
    }
  };
  struct TempSizes {
    size_t workspace = 0, reserve = 0;
  };
  struct Plan {
    cuda::RnnDesc rnn;
    size_t weightBytes = 0;
    bool layoutChecked = false;
    std::map<ShapeKey, TempSizes> tempSizes;
  };
  struct CallDescriptors;

  Plan& planFor(const GruConfig& config, DType dtype);
  cudnn::DropoutDescriptor dropoutFor(const GruConfig& config);
  void checkWeightLayout(Plan& plan, const GruConfig& config, DType dtype, const void* weights);
  TempSizes tempSizes(Plan& plan, const CallDescriptors& call, cudnn::ForwardMode mode);
  // Device scratch released when the returned pointer goes (stream order makes that safe).
  StoragePtr scratch(size_t bytes);
  StoragePtr zeros(size_t bytes);
  StoragePtr deviceLengths(const std::vector<int32_t>& lengths);

  CudaBackend& backend_;
  std::map<PlanKey, std::unique_ptr<Plan>> plans_;
  std::unique_ptr<cuda::DropoutDesc> noDropout_;
  std::unique_ptr<cuda::DropoutDesc> dropout_;
  void* dropoutStates_ = nullptr;
  size_t dropoutStatesBytes_ = 0;
  double dropoutP_ = -1;
  uint64_t dropoutSeed_ = 0;
};

}  // namespace gru
