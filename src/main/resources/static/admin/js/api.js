// Calls to the admin API under /api/admin. The page is same-origin with the API, so the browser
// sends the administrator's cached Basic credentials with every call; failures come back as an
// ApiError whose message is a sentence for the page, built from the RFC 9457 problem detail.

const TIMEOUT_MS = 10000;

export class ApiError extends Error {

  constructor(status, message) {
    super(message);
    this.status = status;
  }

  /** The login is no longer accepted: polling again cannot help, the administrator must reload. */
  get unauthorized() {
    return this.status === 401;
  }

}

export async function api(method, path, body) {
  const init = { method, headers: { Accept: 'application/json' }, cache: 'no-store' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  // A call that hangs must not stall the polling for good.
  init.signal = AbortSignal.timeout(TIMEOUT_MS);
  let response;
  try {
    response = await fetch(`/api/admin${path}`, init);
  }
  catch {
    throw new ApiError(0, 'The server cannot be reached.');
  }
  if (!response.ok) {
    throw new ApiError(response.status, await describeFailure(response));
  }
  return response.status === 204 ? null : response.json();
}

/**
 * The path of one user's resource: the name is one percent-encoded path segment. A name of dots
 * alone would be read by the browser as a "." or ".." segment, whatever its encoding (%2e is a dot
 * there too), and the call would reach another endpoint: a user named ".." once had the console
 * change the global timeout. The server no longer accepts such names; this refuses them anyway.
 */
export function userPath(name, rest) {
  if (/^\.*$/.test(name)) {
    throw new ApiError(0, `The user “${name}” cannot be addressed by name.`);
  }
  return `/users/${encodeURIComponent(name)}${rest}`;
}

async function describeFailure(response) {
  if (response.status === 401) {
    return 'Your administrator login was not accepted: reload the page to log in again.';
  }
  let problem = null;
  try {
    problem = await response.json();
  }
  catch {
    // Not JSON (a proxy's error page, say): the status line is all there is.
  }
  if (typeof problem?.detail === 'string' && problem.detail !== '') {
    return sentence(problem.detail);
  }
  const title = problem?.title ?? problem?.error ?? response.statusText;
  return `The server refused the request (${response.status}${title ? ` ${title}` : ''}).`;
}

/** "no user named bob" -> "No user named bob." */
function sentence(text) {
  const capitalized = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capitalized) ? capitalized : `${capitalized}.`;
}
