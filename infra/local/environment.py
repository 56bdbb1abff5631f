"""Each function sees its own environment, as in Lambda, although all of them run in one process.

`os.environ` is replaced by a mapping that, on a thread running a function invocation, answers with that
function's variables from the translated template and hides the variables the template gives only to
other functions. A handler reading a variable its function does not have therefore fails locally as it
would in AWS (the variable was set for the whole process before, which hid a missing DASHBOARD_URL).
Outside invocations (tests, tools, the seed) the process environment is unchanged.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, MutableMapping

from infra.local import sandbox


class FunctionEnvironments(MutableMapping[str, str]):
    def __init__(self, base: MutableMapping[str, str]) -> None:
        self._base = base
        self.functions: dict[str, dict[str, str]] = {}  # function name -> its variables
        self._template_names: frozenset[str] = frozenset()

    def configure(self, functions: dict[str, dict[str, str]]) -> None:
        self.functions = functions
        self._template_names = frozenset(name for env in functions.values() for name in env)

    def _own(self) -> dict[str, str] | None:
        invocation = sandbox.current_invocation()
        return self.functions.get(invocation.function) if invocation else None

    def __getitem__(self, key: str) -> str:
        own = self._own()
        if own is not None:
            if key in own:
                return own[key]
            if key in self._template_names:
                raise KeyError(key)
        return self._base[key]

    def __setitem__(self, key: str, value: str) -> None:
        self._base[key] = value

    def __delitem__(self, key: str) -> None:
        del self._base[key]

    def _visible(self) -> dict[str, str]:
        own = self._own()
        if own is None:
            return dict(self._base)
        return {**{k: v for k, v in self._base.items() if k not in self._template_names}, **own}

    def __iter__(self) -> Iterator[str]:
        return iter(self._visible())

    def __len__(self) -> int:
        return len(self._visible())

    def copy(self) -> dict[str, str]:
        return self._visible()


def install() -> FunctionEnvironments:
    if not isinstance(os.environ, FunctionEnvironments):
        # Replaced, not cleared: the wrapper keeps the process environment underneath.
        os.environ = FunctionEnvironments(os.environ)  # type: ignore[assignment]  # noqa: B003
    return os.environ  # type: ignore[return-value]
