// The plain-loop CPU GRU: the test oracle the fast path (../gru_forward.cc, ../gru_backward.cc)
// is held to. It is written to be checked by reading against docs/gru.md: one
// batch row and one step at a time, matrix products as explicit loops, libm activations, no
// BLAS, no shared helpers with the fast path. Speed does not matter here; clarity does.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "../../core/philox.h"
#include "../gru_cpu.h"

namespace gru {
namespace reference {
namespace {

template <typename T>
T sigmoid(T v) {
  return T(1) / (T(1) + std::exp(-v));
}

// The activations spelt out as their definitions (Keras 3's hard sigmoid is relu6(x + 3) / 6,
// TF.js's clip(0.2 x + 0.5, 0, 1)), independent of the fast path's.
template <typename T>
T activate(GruActivation kind, T v) {
  switch (kind) {
    case GruActivation::Tanh: return std::tanh(v);
    case GruActivation::Sigmoid: return sigmoid(v);
    case GruActivation::Relu: return std::max(v, T(0));
    case GruActivation::Linear: return v;
    case GruActivation::HardSigmoid: return std::min(std::max(v + T(3), T(0)), T(6)) / T(6);
    case GruActivation::HardSigmoidTfjs: return std::min(std::max(T(0.2) * v + T(0.5), T(0)), T(1));
  }
  return v;
}

// The derivative, from the activation's output y.
template <typename T>
T slopeAt(GruActivation kind, T y) {
  switch (kind) {
    case GruActivation::Tanh: return T(1) - y * y;
    case GruActivation::Sigmoid: return y * (T(1) - y);
    case GruActivation::Relu: return y > T(0) ? T(1) : T(0);
    case GruActivation::Linear: return T(1);
    case GruActivation::HardSigmoid: return (y > T(0) && y < T(1)) ? T(1) / T(6) : T(0);
    case GruActivation::HardSigmoidTfjs: return (y > T(0) && y < T(1)) ? T(0.2) : T(0);
  }
  return T(1);
}

template <typename T>
T dot(const T* a, const T* b, int64_t n) {
  T sum = 0;
  for (int64_t k = 0; k < n; ++k) sum += a[k] * b[k];
  return sum;
}

// Sizes and index arithmetic of one problem.
struct Geometry {
  explicit Geometry(const GruConfig& c)
      : c(c), T(c.seqLen), B(c.batch), H(c.hiddenSize), D(c.directions()), L(c.numLayers) {}

  const GruConfig& c;
  const int64_t T, B, H, D, L;

  // Row of step t, batch entry b in x, y and every layer's input/output.
  int64_t row(int64_t t, int64_t b) const { return c.batchFirst ? b * T + t : t * B + b; }
  int64_t length(const int32_t* lengths, int64_t b) const { return lengths ? lengths[b] : T; }

  // Reserve: per layer, per direction, per step t, per batch entry b (in that nesting), five
  // H-vectors [r | z | n | hidden-n | h_prev]; then, for layers below the top, the next layer's
  // input (after dropout), T*B rows of D*H in x's row order.
  static constexpr int64_t kSaved = 5;
  int64_t savedPerDirection() const { return T * B * kSaved * H; }
  int64_t layerOutputSize() const { return T * B * D * H; }
  int64_t layerBlock(int64_t l) const { return D * savedPerDirection() + (l < L - 1 ? layerOutputSize() : 0); }
  int64_t layerStart(int64_t l) const {
    int64_t offset = 0;
    for (int64_t i = 0; i < l; ++i) offset += layerBlock(i);
    return offset;
  }
  int64_t savedIndex(int64_t l, int64_t d, int64_t t, int64_t b) const {
    return layerStart(l) + d * savedPerDirection() + (t * B + b) * kSaved * H;
  }
  int64_t nextInputIndex(int64_t l) const { return layerStart(l) + D * savedPerDirection(); }
  int64_t reserveSize() const { return layerStart(L); }
};

// One (layer, direction)'s parameter blocks, [3H x in], [3H x H], [3H], [3H], gates r, z, n.
template <typename T>
struct CellWeights {
  CellWeights(const GruConfig& c, const T* weights, int64_t l, int64_t d)
      : in(c.layerInputSize(l)),
        H(c.hiddenSize),
        wIh(weights + gruParamOffset(c, l, d, GruParam::WeightIH)),
        wHh(weights + gruParamOffset(c, l, d, GruParam::WeightHH)),
        bIh(c.bias ? weights + gruParamOffset(c, l, d, GruParam::BiasIH) : nullptr),
        bHh(c.bias ? weights + gruParamOffset(c, l, d, GruParam::BiasHH) : nullptr) {}

  int64_t in, H;
  const T* wIh;
  const T* wHh;
  const T* bIh;
  const T* bHh;

  const T* inputRow(int64_t gateRow) const { return wIh + gateRow * in; }
  const T* hiddenRow(int64_t gateRow) const { return wHh + gateRow * H; }
  T inputBias(int64_t gateRow) const { return bIh ? bIh[gateRow] : T(0); }
  T hiddenBias(int64_t gateRow) const { return bHh ? bHh[gateRow] : T(0); }
};

// The same blocks in the gradient buffer (accumulated into).
template <typename T>
struct CellGrads {
  CellGrads(const GruConfig& c, T* dweights, int64_t l, int64_t d)
      : dwIh(dweights ? dweights + gruParamOffset(c, l, d, GruParam::WeightIH) : nullptr),
        dwHh(dweights ? dweights + gruParamOffset(c, l, d, GruParam::WeightHH) : nullptr),
        dbIh(dweights && c.bias ? dweights + gruParamOffset(c, l, d, GruParam::BiasIH) : nullptr),
        dbHh(dweights && c.bias ? dweights + gruParamOffset(c, l, d, GruParam::BiasHH) : nullptr) {}

  T* dwIh;
  T* dwHh;
  T* dbIh;
  T* dbHh;
};

// What one step of one cell computes for one batch row.
template <typename T>
struct Step {
  explicit Step(int64_t H) : r(H), z(H), n(H), hiddenN(H), h(H) {}
  std::vector<T> r, z, n;
  std::vector<T> hiddenN;  // reset-after: W_hn h_prev + b_hn; reset-before: r * h_prev
  std::vector<T> h;        // the new state
};

template <typename T>
void cellForward(const GruConfig& c, const CellWeights<T>& w, const T* x, const T* hPrev, Step<T>& s) {
  const int64_t H = c.hiddenSize;
  for (int64_t j = 0; j < H; ++j) {
    const T aR = w.inputBias(j) + dot(w.inputRow(j), x, w.in) + w.hiddenBias(j) + dot(w.hiddenRow(j), hPrev, H);
    const T aZ = w.inputBias(H + j) + dot(w.inputRow(H + j), x, w.in) + w.hiddenBias(H + j) +
                 dot(w.hiddenRow(H + j), hPrev, H);
    s.r[j] = activate(c.recurrentActivation, aR);
    s.z[j] = activate(c.recurrentActivation, aZ);
  }
  if (!c.resetAfter) {
    for (int64_t k = 0; k < H; ++k) s.hiddenN[k] = s.r[k] * hPrev[k];
  }
  for (int64_t j = 0; j < H; ++j) {
    const T inputN = w.inputBias(2 * H + j) + dot(w.inputRow(2 * H + j), x, w.in);
    T aN;
    if (c.resetAfter) {
      s.hiddenN[j] = w.hiddenBias(2 * H + j) + dot(w.hiddenRow(2 * H + j), hPrev, H);
      aN = inputN + s.r[j] * s.hiddenN[j];
    } else {
      aN = inputN + dot(w.hiddenRow(2 * H + j), s.hiddenN.data(), H) + w.hiddenBias(2 * H + j);
    }
    s.n[j] = activate(c.activation, aN);
    s.h[j] = (T(1) - s.z[j]) * s.n[j] + s.z[j] * hPrev[j];
  }
}

// Dropout keep decision for element i of layer `layer`'s input (gru_layout.h), taken literally.
// `elements` is the size of one layer input, T*B*D*H.
bool dropoutKeeps(const GruConfig& c, int64_t layer, int64_t elements, int64_t i) {
  const uint64_t index = c.dropoutOffset + static_cast<uint64_t>((layer - 1) * elements + i);
  return static_cast<double>(unitFloat(philoxWord(c.dropoutSeed(), index))) >= c.dropout;
}

bool dropoutApplies(const GruConfig& c) { return c.dropout > 0 && c.numLayers > 1; }

// Multiplies layer `layer`'s input (or its gradient) by the dropout mask and 1 / (1 - p).
template <typename T>
void applyDropout(const GruConfig& c, int64_t layer, std::vector<T>& values) {
  const T scale = c.dropout < 1 ? T(1.0 / (1.0 - c.dropout)) : T(0);
  const int64_t size = static_cast<int64_t>(values.size());
  for (int64_t i = 0; i < size; ++i) values[i] = dropoutKeeps(c, layer, size, i) ? values[i] * scale : T(0);
}

// Steps of direction d in processing order.
int64_t stepTime(const Geometry& g, int64_t d, int64_t s) { return d == 0 ? s : g.T - 1 - s; }

}  // namespace

GruBufferSizes gruBufferSizes(const GruConfig& config) {
  return GruBufferSizes{Geometry(config).reserveSize(), 0, 0};
}

template <typename T>
void gruForward(const GruConfig& c, const GruForwardArgs<T>& a) {
  const Geometry g(c);
  const int64_t H = g.H, D = g.D, B = g.B;
  if (a.reserve) std::fill(a.reserve, a.reserve + g.reserveSize(), T(0));
  std::vector<T> input(a.x, a.x + g.T * B * c.inputSize);
  std::vector<T> output;
  Step<T> step(H);
  for (int64_t l = 0; l < g.L; ++l) {
    const int64_t in = c.layerInputSize(l);
    output.assign(g.layerOutputSize(), T(0));  // padded steps stay 0
    for (int64_t d = 0; d < D; ++d) {
      const CellWeights<T> w(c, a.weights, l, d);
      const int64_t stateIndex = (l * D + d) * B * H;
      std::vector<T> h(B * H, T(0));
      if (a.h0) std::memcpy(h.data(), a.h0 + stateIndex, sizeof(T) * B * H);
      for (int64_t s = 0; s < g.T; ++s) {
        const int64_t t = stepTime(g, d, s);
        for (int64_t b = 0; b < B; ++b) {
          if (t >= g.length(a.lengths, b)) continue;  // past this sequence's end: the state is frozen
          T* hb = h.data() + b * H;
          cellForward(c, w, input.data() + g.row(t, b) * in, hb, step);
          if (a.reserve) {
            T* saved = a.reserve + g.savedIndex(l, d, t, b);
            for (int64_t j = 0; j < H; ++j) {
              saved[j] = step.r[j];
              saved[H + j] = step.z[j];
              saved[2 * H + j] = step.n[j];
              saved[3 * H + j] = step.hiddenN[j];
              saved[4 * H + j] = hb[j];
            }
          }
          for (int64_t j = 0; j < H; ++j) {
            hb[j] = step.h[j];
            output[g.row(t, b) * D * H + d * H + j] = step.h[j];
          }
        }
      }
      std::memcpy(a.hN + stateIndex, h.data(), sizeof(T) * B * H);
    }
    if (l < g.L - 1) {
      if (dropoutApplies(c)) applyDropout(c, l + 1, output);
      if (a.reserve) std::copy(output.begin(), output.end(), a.reserve + g.nextInputIndex(l));
    }
    input.swap(output);
  }
  std::copy(input.begin(), input.end(), a.y);
}

template <typename T>
void gruBackward(const GruConfig& c, const GruBackwardArgs<T>& a) {
  const Geometry g(c);
  const int64_t H = g.H, D = g.D, B = g.B;
  // Gradient of the current layer's output; the top layer's is dy.
  std::vector<T> dOutput(g.layerOutputSize(), T(0));
  if (a.dy) std::copy(a.dy, a.dy + g.layerOutputSize(), dOutput.begin());
  std::vector<T> daR(H), daZ(H), daN(H), dhPrev(H), drh(H);
  for (int64_t l = g.L - 1; l >= 0; --l) {
    const int64_t in = c.layerInputSize(l);
    const T* input = l == 0 ? a.x : a.reserve + g.nextInputIndex(l - 1);
    std::vector<T> dInput(g.T * B * in, T(0));
    for (int64_t d = 0; d < D; ++d) {
      const CellWeights<T> w(c, a.weights, l, d);
      const CellGrads<T> gw(c, a.dweights, l, d);
      const int64_t stateIndex = (l * D + d) * B * H;
      std::vector<T> dh(B * H, T(0));  // gradient of the running state
      if (a.dhN) std::memcpy(dh.data(), a.dhN + stateIndex, sizeof(T) * B * H);
      for (int64_t s = g.T - 1; s >= 0; --s) {
        const int64_t t = stepTime(g, d, s);
        for (int64_t b = 0; b < B; ++b) {
          if (t >= g.length(a.lengths, b)) continue;  // a frozen step passes dh through unchanged
          const T* saved = a.reserve + g.savedIndex(l, d, t, b);
          const T *r = saved, *z = saved + H, *n = saved + 2 * H, *hiddenN = saved + 3 * H, *hPrev = saved + 4 * H;
          const T* x = input + g.row(t, b) * in;
          T* dhb = dh.data() + b * H;
          // h = (1 - z) n + z h_prev
          for (int64_t j = 0; j < H; ++j) {
            const T dhTotal = dhb[j] + dOutput[g.row(t, b) * D * H + d * H + j];
            daN[j] = dhTotal * (T(1) - z[j]) * slopeAt(c.activation, n[j]);
            daZ[j] = dhTotal * (hPrev[j] - n[j]) * slopeAt(c.recurrentActivation, z[j]);
            dhPrev[j] = dhTotal * z[j];
          }
          if (c.resetAfter) {
            // a_n = ... + r * hiddenN
            for (int64_t j = 0; j < H; ++j) daR[j] = daN[j] * hiddenN[j] * slopeAt(c.recurrentActivation, r[j]);
          } else {
            // a_n = ... + W_hn (r * h_prev): back through the product to rh, then to r and h_prev
            for (int64_t k = 0; k < H; ++k) {
              drh[k] = 0;
              for (int64_t j = 0; j < H; ++j) drh[k] += daN[j] * w.hiddenRow(2 * H + j)[k];
              daR[k] = drh[k] * hPrev[k] * slopeAt(c.recurrentActivation, r[k]);
              dhPrev[k] += drh[k] * r[k];
            }
          }
          // Input side: a_g = W_ig x + b_ig + ..., for g = r, z, n.
          const T* daGate[3] = {daR.data(), daZ.data(), daN.data()};
          for (int64_t gate = 0; gate < 3; ++gate) {
            for (int64_t j = 0; j < H; ++j) {
              const int64_t gateRow = gate * H + j;
              const T da = daGate[gate][j];
              if (gw.dbIh) gw.dbIh[gateRow] += da;
              for (int64_t k = 0; k < in; ++k) {
                if (gw.dwIh) gw.dwIh[gateRow * in + k] += da * x[k];
                dInput[g.row(t, b) * in + k] += da * w.inputRow(gateRow)[k];
              }
            }
          }
          // Hidden side: r and z see W_hg h_prev + b_hg in both modes.
          for (int64_t gate = 0; gate < 2; ++gate) {
            for (int64_t j = 0; j < H; ++j) {
              const int64_t gateRow = gate * H + j;
              const T da = daGate[gate][j];
              if (gw.dbHh) gw.dbHh[gateRow] += da;
              for (int64_t k = 0; k < H; ++k) {
                if (gw.dwHh) gw.dwHh[gateRow * H + k] += da * hPrev[k];
                dhPrev[k] += da * w.hiddenRow(gateRow)[k];
              }
            }
          }
          // n: reset-after sees r * (W_hn h_prev + b_hn); reset-before sees W_hn (r * h_prev) + b_hn
          // (its path to h_prev was added above through drh).
          for (int64_t j = 0; j < H; ++j) {
            const int64_t gateRow = 2 * H + j;
            if (c.resetAfter) {
              const T daHidden = daN[j] * r[j];
              if (gw.dbHh) gw.dbHh[gateRow] += daHidden;
              for (int64_t k = 0; k < H; ++k) {
                if (gw.dwHh) gw.dwHh[gateRow * H + k] += daHidden * hPrev[k];
                dhPrev[k] += daHidden * w.hiddenRow(gateRow)[k];
              }
            } else {
              if (gw.dbHh) gw.dbHh[gateRow] += daN[j];
              if (gw.dwHh) for (int64_t k = 0; k < H; ++k) gw.dwHh[gateRow * H + k] += daN[j] * hiddenN[k];
            }
          }
          std::copy(dhPrev.begin(), dhPrev.end(), dhb);
        }
      }
      if (a.dh0) std::memcpy(a.dh0 + stateIndex, dh.data(), sizeof(T) * B * H);
    }
    if (l > 0) {
      // dInput is the gradient of layer l's input, i.e. of layer l-1's output after dropout.
      if (dropoutApplies(c)) applyDropout(c, l, dInput);
      dOutput.swap(dInput);
    } else if (a.dx) {
      std::copy(dInput.begin(), dInput.end(), a.dx);
    }
  }
}

template void gruForward<float>(const GruConfig&, const GruForwardArgs<float>&);
template void gruForward<double>(const GruConfig&, const GruForwardArgs<double>&);
template void gruBackward<float>(const GruConfig&, const GruBackwardArgs<float>&);
template void gruBackward<double>(const GruConfig&, const GruBackwardArgs<double>&);

}  // namespace reference
}  // namespace gru
