"""Moving running instances to another sequence version: plan (pure), preview, apply."""
