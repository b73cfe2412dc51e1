from driver_runtime.drivers.javascript.driver import JavaScriptDriver
from driver_runtime.sdk.serve import main_for

main_for(JavaScriptDriver())
