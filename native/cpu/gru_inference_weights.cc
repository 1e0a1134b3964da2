#include "gru_inference_weights.h"

#include <algorithm>

namespace gru {
namespace cpu {
namespace {

constexpr int64_t kFloatsPerCacheLine = 16;

int64_t elementBytes(InferenceWeights format) { return format == InferenceWeights::Bfloat16 ? 2 : 4; }

}  // namespace

InferenceLayout::InferenceLayout(const GruConfig& c, InferenceWeights format) : config_(c), H_(c.hiddenSize), D_(c.directions()) {
  const int64_t biasFloats = c.bias ? c.numLayers * D_ * 6 * H_ : 0;
  panelStart_ = (biasFloats + kFloatsPerCacheLine - 1) / kFloatsPerCacheLine * kFloatsPerCacheLine;
  const int64_t panelElements = cellStart(c.numLayers, 0);
  totalFloats_ = panelStart_ + (panelElements * elementBytes(format) + 3) / 4;
}

int64_t InferenceLayout::cellElements(int64_t l) const {
  const int64_t candidate = config_.resetAfter ? 0 : packedSize(H_, H_);
  return packedSize(3 * H_, config_.layerInputSize(l)) + packedSize(firstRows(), H_) + candidate;
}

int64_t InferenceLayout::cellStart(int64_t l, int64_t d) const {
  int64_t start = 0;
  for (int64_t layer = 0; layer < l; ++layer) start += D_ * cellElements(layer);
  return start + d * (l < config_.numLayers ? cellElements(l) : 0);
}

namespace {

template <typename Element>
void packPanels(const GruConfig& c, const InferenceLayout& layout, const float* weights, Element* panels) {
  const int64_t H = c.hiddenSize;
  for (int64_t l = 0; l < c.numLayers; ++l) {
    const int64_t inSize = c.layerInputSize(l);
    for (int64_t d = 0; d < c.directions(); ++d) {
      const float* wIh = weights + gruParamOffset(c, l, d, GruParam::WeightIH);
      const float* wHh = weights + gruParamOffset(c, l, d, GruParam::WeightHH);
      packTransposed(wIh, 3 * H, inSize, inSize, panels + layout.inputPanels(l, d));
      packTransposed(wHh, layout.firstRows(), H, H, panels + layout.firstRecurrentPanels(l, d));
      if (!c.resetAfter) packTransposed(wHh + 2 * H * H, H, H, H, panels + layout.candidatePanels(l, d));
    }
  }
}

}  // namespace

void packInferenceWeights(const GruConfig& c, InferenceWeights format, const float* weights, float* out) {
  const InferenceLayout layout(c, format);
  const int64_t H = c.hiddenSize;
  // The panels are written whole by packTransposed (as bfloat16 where so), never through float.
  std::fill(out, out + layout.panelStart(), 0.0f);
  for (int64_t l = 0; c.bias && l < c.numLayers; ++l) {
    for (int64_t d = 0; d < c.directions(); ++d) {
      float* biases = out + layout.biases(l, d);
      const float* bIh = weights + gruParamOffset(c, l, d, GruParam::BiasIH);
      const float* bHh = weights + gruParamOffset(c, l, d, GruParam::BiasHH);
      std::copy(bIh, bIh + 3 * H, biases);
      std::copy(bHh, bHh + 3 * H, biases + 3 * H);
    }
  }
  float* panels = out + layout.panelStart();
  if (format == InferenceWeights::Bfloat16) packPanels(c, layout, weights, reinterpret_cast<uint16_t*>(panels));
  else packPanels(c, layout, weights, panels);
}

}  // namespace cpu
}  // namespace gru
