"""One module of routes per resource; each builds an ``APIRouter`` for one engine."""
