"""Cases (案卷): the 数字城管 / 运管服 workflow, starting with the case classifier."""
