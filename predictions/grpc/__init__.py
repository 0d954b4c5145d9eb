"""AlphaGenome-compatible gRPC API: DeepMind's `alphagenome` client talks to this server.

The service is `google.gdm.gdmscience.alphagenome.v1main.DnaModelService`, built on the
generated servicer base class and the serializers the `alphagenome` wheel ships. Modules:

- `errors`: the status-code exceptions of this layer (the model's `InvalidRequestError` and
  `NotProvidedError` become INVALID_ARGUMENT and UNIMPLEMENTED in the servicer);
- `requests`: request messages → validated domain values (INVALID_ARGUMENT names the field);
- `assemblies`: which reference genome, genes and quantile background a call uses;
- `encoding`: domain results → response messages, tensors chunked with zstd and bf16;
- `limits`, `auth`: per-key rate limit, bounded model calls, the API-key interceptor;
- `servicer`, `server`: the seven RPCs and the grpcio server.

No model logic lives here: every prediction and score comes from `model.service`, the one path
the Celery runners call too.
"""
