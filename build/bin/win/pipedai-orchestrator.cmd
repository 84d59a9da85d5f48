@echo off
:: pipedai-orchestrator: the desktop app's command line (VS Code's bin\code.cmd model). It runs the
:: bundled CLI on the app's own binary as Node, so no Node.js needs to be installed; with no
:: command (or only desktop flags such as --hidden) the CLI starts the app instead. Shipped as
:: <app>\resources\bin\pipedai-orchestrator.cmd; the installer can add that folder to PATH.
setlocal
set "ELECTRON_RUN_AS_NODE=1"
set "PIPEDAI_APP_BINARY=%~dp0..\..\PipedAI Orchestrator.exe"
"%PIPEDAI_APP_BINARY%" "%~dp0..\app.asar.unpacked\dist\cli.js" %*
exit /b %ERRORLEVEL%
