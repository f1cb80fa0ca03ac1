// attempt runs one of a page's requests and records what the page could
// read of it in report[name]: its result, or, when fetch throws, why (a
// CORS refusal is a TypeError, its status unknown to the page).
async function attempt(name, fn, report) {
  try {
    report[name] = await fn();
  } catch (e) {
    report[name] = { blocked: String(e) };
  }
}
