"""AlphaGenome-compatible gRPC API: DeepMind's `alphagenome` client talks to this server.

The service is `google.gdm.gdmscience.alphagenome.v1main.DnaModelService`, built on the
generated servicer base class and the serializers the `alphagenome` wheel ships. Modules:

- `errors`: the status-code exceptions every layer raises;
- `requests`: request messages → validated domain values (INVALID_ARGUMENT names the field);
- `routing`: which backend provides each output type;
- `predict`: the Django-free prediction and scoring facade (shared with the web API);
- `encoding`: domain results → response messages, tensors chunked with zstd and bf16;
- `limits`, `auth`: per-key rate limit, bounded model calls, the API-key interceptor;
- `servicer`, `server`: the seven RPCs and the grpcio server.
"""
