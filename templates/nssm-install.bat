@echo off
rem Written by `pipedai-orchestrator install`. Run it as Administrator; NSSM (https://nssm.cc) must be on PATH.
rem The service runs as LocalSystem. To run it as your own account instead (your npm, your files), run:
rem   {{objectNameHint}}
setlocal EnableExtensions DisableDelayedExpansion
where nssm >nul 2>&1 || goto :no_nssm
rem Replace an earlier install; these fail harmlessly when there is none.
nssm stop PipedAIOrchestrator >nul 2>&1
nssm remove PipedAIOrchestrator confirm >nul 2>&1
if not exist {{logsDir}} mkdir {{logsDir}} || goto :fail
nssm install PipedAIOrchestrator {{node}} || goto :fail
nssm set PipedAIOrchestrator AppParameters {{appParameters}} || goto :fail
nssm set PipedAIOrchestrator AppDirectory {{appDirectory}} || goto :fail
nssm set PipedAIOrchestrator AppEnvironmentExtra {{environment}} || goto :fail
nssm set PipedAIOrchestrator Start SERVICE_AUTO_START || goto :fail
nssm set PipedAIOrchestrator AppStdout {{stdoutPath}} || goto :fail
nssm set PipedAIOrchestrator AppStderr {{stderrPath}} || goto :fail
nssm set PipedAIOrchestrator AppRotateFiles 1 || goto :fail
nssm set PipedAIOrchestrator AppRotateOnline 1 || goto :fail
nssm set PipedAIOrchestrator AppRotateBytes 5242880 || goto :fail
nssm set PipedAIOrchestrator AppExit Default Restart || goto :fail
nssm set PipedAIOrchestrator AppRestartDelay 5000 || goto :fail
rem Ctrl-C, then wait for the daemon to drain its workers (each finishes its run; 4294967295 = no limit).
nssm set PipedAIOrchestrator AppStopMethodConsole {{stopConsoleMs}} || goto :fail
rem A daemon that exits or is restarted leaves its workers running for the next one to adopt.
nssm set PipedAIOrchestrator AppKillProcessTree 0 || goto :fail
nssm start PipedAIOrchestrator || goto :fail
echo The PipedAIOrchestrator service is installed and started.
exit /b 0

:no_nssm
echo NSSM was not found on PATH. Install it from https://nssm.cc and run this script again. 1>&2
exit /b 1

:fail
echo Installing the PipedAIOrchestrator service failed: see the message above. 1>&2
exit /b 1
