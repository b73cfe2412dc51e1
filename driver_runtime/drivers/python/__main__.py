from driver_runtime.drivers.python.driver import PythonDriver
from driver_runtime.sdk.serve import main_for

main_for(PythonDriver())
