// Asks for the API key when the server wants one. The key stays in this tab's
// sessionStorage: closing the tab forgets it.
import { useState } from "react";

export const KEY_STORAGE = "orch8-nb.api-key";

export function storedKey(): string | null {
  try {
    return sessionStorage.getItem(KEY_STORAGE);
  } catch {
    return null; // storage disabled: ask every time
  }
}

export function storeKey(key: string | null): void {
  try {
    if (key === null) sessionStorage.removeItem(KEY_STORAGE);
    else sessionStorage.setItem(KEY_STORAGE, key);
  } catch {
    // storage disabled: the key lives as long as the page
  }
}

export function KeyPrompt({ refused, onKey }: { refused: boolean; onKey: (key: string) => void }) {
  const [key, setKey] = useState("");
  return (
    <form
      className="orch8-dash-key"
      data-testid="orch8-dash-key"
      onSubmit={(event) => {
        event.preventDefault();
        if (key.trim() !== "") onKey(key.trim());
      }}
    >
      <h2>API key</h2>
      <p>
        This server needs its API key: the <code>ORCH8_API_KEY</code> it was started with, or the <code>api_key</code> given to{" "}
        <code>engine.serve()</code>.
      </p>
      {refused && (
        <p className="orch8-error-text" role="alert">
          The server refused that key.
        </p>
      )}
      <label>
        Key{" "}
        <input
          className="orch8-input"
          type="password"
          autoComplete="current-password"
          autoFocus
          value={key}
          onChange={(e) => setKey(e.target.value)}
          data-testid="orch8-dash-key-input"
        />
      </label>{" "}
      <button type="submit" className="orch8-button orch8-button-primary" data-testid="orch8-dash-key-submit">
        Open the dashboard
      </button>
    </form>
  );
}
