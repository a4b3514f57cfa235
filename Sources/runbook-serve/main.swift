// runbook-serve: the HTTP service `runbook serve` execs (docs/serve.md).
import RunbookServe

await ServeMain.main()
