// The dashboard's HTTP client: Orch8's REST API under one base URL, with the API key the
// user typed (sent as `x-api-key`). Every failure becomes an ApiError carrying the status
// and the server's `{"error": "..."}` text, so the UI can show what the server said.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export class Api {
  constructor(
    readonly base: string,
    private key: string | null = null,
    private readonly fetcher: Fetch = (input, init) => fetch(input, init),
  ) {}

  /** Replaces the key sent from now on (null: none). */
  setKey(key: string | null): void {
    this.key = key;
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.key === null ? extra : { ...extra, "x-api-key": this.key };
  }

  url(path: string): string {
    return `${this.base}${path}`;
  }

  get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>("GET", path, undefined, signal);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>("POST", path, body);
  }

  /** A streaming response (server-sent events), refused with an ApiError unless 2xx. */
  async open(path: string, signal?: AbortSignal): Promise<Response> {
    const response = await this.fetcher(this.url(path), { headers: this.headers(), signal });
    if (!response.ok) {
      const text = await response.text();
      throw new ApiError(response.status, errorText(response.status, parseJson(text), text));
    }
    return response;
  }

  async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    let response: Response;
    try {
      response = await this.fetcher(this.url(path), {
        method,
        headers: this.headers(body === undefined ? {} : { "content-type": "application/json" }),
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (err) {
      if ((err as Error).name === "AbortError") throw err;
      throw new ApiError(0, `cannot reach the server: ${(err as Error).message}`);
    }
    const text = await response.text();
    const data = parseJson(text);
    if (!response.ok) throw new ApiError(response.status, errorText(response.status, data, text));
    return data as T;
  }
}

function parseJson(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The server's message: `{"error"}` (Orch8's shape), else the status line. */
export function errorText(status: number, data: unknown, text: string): string {
  if (typeof data === "object" && data !== null && typeof (data as { error?: unknown }).error === "string") {
    return (data as { error: string }).error;
  }
  const detail = text.trim().slice(0, 200);
  return detail === "" ? `HTTP ${status}` : `HTTP ${status}: ${detail}`;
}
