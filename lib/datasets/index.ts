export { sunspots, type YearlySeries } from './sunspots';
