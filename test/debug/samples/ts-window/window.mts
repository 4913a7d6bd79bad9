/** The last `size` values seen (a sliding window over a stream of numbers). */
export class Recent {
  private values: number[] = [];

  constructor(private readonly size: number) {}

  push(value: number): void {
    this.values.push(value);
    if (this.values.length > this.size) this.values.shift();
  }

  /** The i-th value from the oldest, or undefined. */
  at(i: number): number | undefined {
    const index: number = i;
    return this.values[index + 1];
  }
}
