// A fixed delay before every request is forwarded: AWS's round trip as a client feels it (benchmarks use 40 ms).
// Not an AWS API behaviour; it models the network distance to the regional endpoint
// (docs.aws.amazon.com/general/latest/gr/cfn.html lists the regional endpoints).
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export default {
  name: 'latency',
  reference: 'docs.aws.amazon.com/general/latest/gr/cfn.html',
  async handle(ctx, next) {
    const ms = Number(ctx.scenario.latencyMs ?? 0);
    if (ms > 0) await sleep(ms);
    return next();
  },
};
