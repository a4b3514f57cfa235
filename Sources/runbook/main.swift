import RunbookCLI

RunbookMain.main()
