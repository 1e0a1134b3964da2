/**
 * A forecaster of one series: a stack of GRU layers over a window of past values (batch first,
 * one feature) and a Linear head on the top layer's last state, predicting the value `horizon`
 * steps after the window. Built from a JSON config so a checkpoint can rebuild it.
 */
import { checkInteger, checkOptions } from '../arguments';
import type { Device } from '../dtype';
import { GRU } from '../nn/gru';
import { Linear } from '../nn/linear';
import { Module } from '../nn/module';
import type { Tensor } from '../tensor';

export interface SeriesModelConfig {
  hidden: number;
  layers: number;
}

export class SeriesModel extends Module {
  readonly config: SeriesModelConfig;
  gru: GRU;
  fc: Linear;

  constructor(config: SeriesModelConfig, device: Device = 'cpu') {
    super();
    const c = checkOptions(config, ['hidden', 'layers'], 'SeriesModel config');
    this.config = { hidden: checkInteger(c.hidden, 'SeriesModel config: hidden', 1), layers: checkInteger(c.layers, 'SeriesModel config: layers', 1) };
    this.gru = new GRU({ inputSize: 1, hiddenSize: this.config.hidden, numLayers: this.config.layers, batchFirst: true, device });
    this.fc = new Linear({ inFeatures: this.config.hidden, outFeatures: 1, device });
  }

  /** Forecasts [batch, 1] from windows [batch, window, 1] (normalised values). */
  forward(windows: Tensor): Tensor {
    const { hN } = this.gru.forward(windows);
    return this.fc.forward(hN.select(0, this.config.layers - 1));
  }
}
