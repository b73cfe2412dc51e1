from driver_runtime.drivers.cpp.driver import CppDriver
from driver_runtime.sdk.serve import main_for

main_for(CppDriver())
