/**
 * What a benchmark section exports. bench/index.ts runs every module in
 * bench/sections/ in file-name order (prefix them `10-`, `20-`, …) and prints
 * one table of their rows.
 */

export interface BenchRow {
  /** What was measured, e.g. `cold start roles / hello-world`. */
  metric: string;
  /** The measured value, already rounded for display. */
  value: number;
  unit: string;
  /** The target, when there is one: met when value <= target. */
  target?: number;
  /** How it was measured (runs, samples), for the table. */
  note?: string;
}

export interface BenchSection {
  title: string;
  run(): Promise<BenchRow[]>;
}
