/** Forecasting one series (a CSV column): the model, its resumable training and forecasts. */
export { readCsvColumn, type CsvColumn } from './csv-column';
export { forecastSeries } from './forecast';
export { loadSeriesModel, type SeriesEpochRecord, type SeriesRunState } from './series-checkpoint';
export { SeriesModel, type SeriesModelConfig } from './series-model';
export { trainSeriesModel, type SeriesTrainingOptions, type SeriesTrainingResult } from './train-series';
