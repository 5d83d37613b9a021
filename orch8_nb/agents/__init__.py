"""LLM agents as durable steps: ``llm_call``, ``tool_call`` and ``agent`` handlers, model
providers, record/replay cassettes, prices, and a declarative ReAct template.

Importing this package (``import orch8_nb`` does) installs ``engine.llm`` and the three
handlers into every engine made afterwards.
"""

from orch8_nb.agents.cassette import MODES, CassetteMiss
from orch8_nb.agents.chat import ChatRequest, ChatResponse, ToolSpec, Usage
from orch8_nb.agents.pricing import Price, PriceTable
from orch8_nb.agents.providers import ProviderConfig, ProviderError, ScriptedProvider
from orch8_nb.agents.services import AgentServices, install
from orch8_nb.agents.template import react_sequence
from orch8_nb.agents.tools import Tool, make_tool
from orch8_nb.engine.extensions import register_extension

register_extension("agents", install)

__all__ = [
    "MODES",
    "AgentServices",
    "CassetteMiss",
    "ChatRequest",
    "ChatResponse",
    "Price",
    "PriceTable",
    "ProviderConfig",
    "ProviderError",
    "ScriptedProvider",
    "Tool",
    "ToolSpec",
    "Usage",
    "make_tool",
    "react_sequence",
]
