"""Click-to-call through the bureau's converged-communications gateway (融合通信).

The server, never the browser, asks the gateway to connect the desk's extension (the caller)
to a number (the callee): `numbers.dialable` decides what may be dialled, `gateway.place`
makes the one HTTP request, shaped by the CALL_GATEWAY_* settings so that a common gateway is
adapted by configuration, not code. Nothing here knows Dash or the warehouse.
"""
