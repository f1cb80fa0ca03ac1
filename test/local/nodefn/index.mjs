// A Node.js streaming function written the way AWS's documentation shows
// it (awslambda.streamifyResponse, awslambda.HttpResponseStream.from), for
// test/local: ?count records, ?interval_ms apart, as NDJSON; ?fail=N throws
// after N records (the error reaches the runtime as the error trailers).
export const handler = awslambda.streamifyResponse(async (event, responseStream, _context) => {
  const q = event.queryStringParameters || {};
  const count = Number(q.count || 10), interval = Number(q.interval_ms || 100), fail = q.fail === undefined ? -1 : Number(q.fail);
  responseStream = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: 200,
    headers: { "Content-Type": "application/x-ndjson", "X-Runtime": process.env.AWS_EXECUTION_ENV || "" },
  });
  for (let i = 0; i < count; i++) {
    if (i === fail) throw new Error(`failed after ${fail} records`);
    responseStream.write(JSON.stringify({ n: i, at: Date.now() }) + "\n");
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
  responseStream.end();
});

// A buffered handler: the ordinary proxy answer.
export const buffered = async (event) => ({
  statusCode: 200,
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ path: event.path, runtime: process.env.AWS_EXECUTION_ENV }),
});
