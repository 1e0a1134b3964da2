export { mobyDick } from './moby-dick';
export { sunspots, type YearlySeries } from './sunspots';
