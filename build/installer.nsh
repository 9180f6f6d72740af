; Windows installer additions: start the kiosk at login for every user of the kiosk PC.
!macro customInstall
  WriteRegStr HKLM "Software\Microsoft\Windows\CurrentVersion\Run" "TuanyuanKiosk" '"$INSTDIR\tuanyuan-kiosk.exe"'
!macroend
!macro customUnInstall
  DeleteRegValue HKLM "Software\Microsoft\Windows\CurrentVersion\Run" "TuanyuanKiosk"
!macroend
