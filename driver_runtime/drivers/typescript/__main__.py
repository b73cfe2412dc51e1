from driver_runtime.drivers.typescript.driver import TypeScriptDriver
from driver_runtime.sdk.serve import main_for

main_for(TypeScriptDriver())
