module bblfsh-lsp/drivers/go/native

go 1.19
