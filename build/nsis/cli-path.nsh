; "Add pipedai-orchestrator to PATH": electron-builder's NSIS installer (nsis.include) gains a page
; after the folder choice with one box, checked by default. Checked, the install adds
; $INSTDIR\resources\bin (the CLI launcher, pipedai-orchestrator.cmd) to the user's PATH (HKCU, as
; REG_EXPAND_SZ, no duplicate), and tells running programs the environment changed. An update
; (silent, the page skipped) leaves PATH as the user chose it; uninstalling takes the entry out.
; Tested with the real makensis (app/main/shell/logic/cli-link.test.ts builds an installer with it).
!include LogicLib.nsh
!include nsDialogs.nsh
!include WinMessages.nsh

; PowerShell edits the registry value as it is (the unexpanded REG_EXPAND_SZ), with the folder
; passed through the environment rather than quoted into the command line.
!define CLI_PATH_EDIT `"$SYSDIR\WindowsPowerShell\v1.0\powershell.exe" -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command "$$k = [Microsoft.Win32.Registry]::CurrentUser.CreateSubKey('Environment'); $$old = [string]$$k.GetValue('Path', '', 'DoNotExpandEnvironmentNames'); $$d = $$env:PIPEDAI_CLI_BIN; $$keep = @($$old -split ';' | Where-Object { $$_ -and ($$_.TrimEnd('\') -ne $$d.TrimEnd('\')) }); if ($$env:PIPEDAI_CLI_ADD -eq '1') { $$keep += $$d }; $$k.SetValue('Path', ($$keep -join ';'), 'ExpandString')"`

!macro cliPathEdit ADD
  Push $0
  System::Call 'Kernel32::SetEnvironmentVariable(t "PIPEDAI_CLI_BIN", t "$INSTDIR\resources\bin")i'
  System::Call 'Kernel32::SetEnvironmentVariable(t "PIPEDAI_CLI_ADD", t "${ADD}")i'
  nsExec::ExecToLog `${CLI_PATH_EDIT}`
  Pop $0
  Pop $0
  SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=5000
!macroend

!ifndef BUILD_UNINSTALLER
  Var CliPathBox
  ; BST_CHECKED once the page ran with the box checked; empty when the page did not run.
  Var CliPathWanted

  !macro customPageAfterChangeDir
    Page custom CliPathPageCreate CliPathPageLeave
  !macroend

  Function CliPathPageCreate
    ${If} ${isUpdated}
      Abort
    ${EndIf}
    nsDialogs::Create 1018
    Pop $0
    ${If} $0 == error
      Abort
    ${EndIf}
    ${NSD_CreateCheckbox} 0 0 100% 12u "Add pipedai-orchestrator to PATH"
    Pop $CliPathBox
    ${NSD_CreateLabel} 12u 16u -12u 36u "New terminals can then run pipedai-orchestrator connect, install, workers and the other commands, with the app's own runtime (no Node.js needed)."
    Pop $0
    ${If} $CliPathWanted == ""
      StrCpy $CliPathWanted ${BST_CHECKED}
    ${EndIf}
    ${NSD_SetState} $CliPathBox $CliPathWanted
    nsDialogs::Show
  FunctionEnd

  Function CliPathPageLeave
    ${NSD_GetState} $CliPathBox $CliPathWanted
  FunctionEnd

  !macro customInstall
    ${If} $CliPathWanted == ${BST_CHECKED}
      !insertmacro cliPathEdit 1
    ${EndIf}
  !macroend
!endif

!macro customUnInstall
  ${IfNot} ${isUpdated}
    !insertmacro cliPathEdit 0
  ${EndIf}
!macroend
